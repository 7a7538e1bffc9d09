"""When a push may reach an official's phone: never in the quiet hours, never on a holiday.

A reminder at 23:00 or on the first day of Tết gets the bot blocked; one that waits until
07:00 of the next open day loses nothing. The quiet hours are local time (Asia/Ho_Chi_Minh,
`vietnam_time.ZONE`: UTC+7 all year, so the arithmetic needs no tz database), the holidays
are the days of `rulebooks/calendar/holidays.yaml`; both come from the calendar data through
`default_window()`. Pure and cheap: the dispatcher asks it for every due reminder.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dvht_core.vietnam_time import ZONE

_LONGEST_CLOSED_RUN = 400
"""Days `next_allowed` looks ahead: a holiday list that closed every day would otherwise loop
for ever; no real list closes more than a fortnight in a row."""


@dataclass(frozen=True)
class SendWindow:
    """Quiet hours from `quiet_start` to `quiet_end` (local; across midnight when start > end)
    and whole closed days (`holidays`, local dates)."""

    quiet_start: dt.time = dt.time(21, 0)
    quiet_end: dt.time = dt.time(7, 0)
    holidays: frozenset[dt.date] = frozenset()

    def allowed(self, moment: dt.datetime) -> bool:
        """Whether a push may be sent at this aware moment."""
        local = _local(moment)
        return local.date() not in self.holidays and not self._quiet(local.time())

    def next_allowed(self, moment: dt.datetime) -> dt.datetime:
        """`moment` itself (in UTC) when allowed, else the first allowed moment after it: the
        end of the quiet hours, of the day that is not a holiday."""
        if self.allowed(moment):
            return moment.astimezone(dt.UTC)
        local = _local(moment)
        day = local.date()
        # The end of the quiet hours today (a moment before it, e.g. 05:00), else of the next
        # day that is not a holiday: a closed day opens at quiet_end of the next open day.
        for offset in range(_LONGEST_CLOSED_RUN):
            later = day + dt.timedelta(days=offset)
            candidate = _at(later, self.quiet_end)
            if candidate > local and self.allowed(candidate):
                return candidate.astimezone(dt.UTC)
        raise ValueError("the send window is closed on every day of the coming year")

    def _quiet(self, time: dt.time) -> bool:
        start, end = self.quiet_start, self.quiet_end
        if start == end:
            return False
        if start < end:
            return start <= time < end
        return time >= start or time < end


def _local(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("the send window needs an aware moment")
    return moment.astimezone(ZONE)


def _at(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=ZONE)


def default_window() -> SendWindow:
    """The quiet hours and holidays of the calendar data."""
    from dvht_core.calendar_data import load_calendar, load_holidays

    start, end = load_calendar().quiet_hours.times()
    return SendWindow(quiet_start=start, quiet_end=end, holidays=load_holidays().dates())
