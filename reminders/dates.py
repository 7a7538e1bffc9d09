"""The dates the planner counts from, in one place: the legal dossier deadline, the reminders'
hour, the day an upgrade opens and the day a recognition lapses, and the send window.

They belong to the legal calendar (`dvht_core.calendar`, `dvht_core.send_window`, written
alongside this engine). Until that calendar is part of the build, the readings below are the
ones it documents: the dossier before 15/01 of the next year (TT24 Điều 10 khoản 1 điểm c,
Điều 16), the upgrade 12 months after a level-1 decision, a recognition kept “3 năm tiếp theo
năm được công nhận” counted from the assessment year, quiet hours 21:00–07:00 local. Once the
calendar is present every function here defers to it, so the engine and the quick answers
can never disagree about a date.
"""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass
from types import ModuleType

from dvht_core.vietnam_time import DOSSIER_DEADLINE, ZONE
from reminders.ports import Window

REMINDER_OFFSETS: tuple[int, ...] = (30, 14, 7, 3, 1)
"""Days before a dossier deadline on which members are reminded (kinds "T-30" … "T-1")."""
REMINDER_HOUR = dt.time(8, 0)
"""Local time of a reminder: the start of an office's day."""
ADMIN_OFFSET = 7
"""The unit admin's roll-up ("admin-T-7") goes with the members' T-7."""
REVIEWER_OFFSET = 3
"""The receiving office's reviewers get the list of open units at T-3 ("reviewer-T-3")."""
UPGRADE_MONTHS = 12
EXPIRY_DAYS_BEFORE = 60
RECOGNITION_YEARS = 3


def _calendar(name: str) -> ModuleType | None:
    """The legal calendar's module, when it is part of this build."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError:
        return None


def dossier_deadline(year: int) -> dt.date:
    """The legal deadline of assessment year `year`'s dossier (“trước ngày 15/01” of the next
    year): reminders count down to it, so T-1 is 14/01."""
    calendar = _calendar("dvht_core.calendar")
    if calendar is not None:
        day: dt.date = calendar.dossier_deadline(year)
        return day
    month, day_of_month = DOSSIER_DEADLINE
    return dt.date(year + 1, month, day_of_month)


def due_moment(day: dt.date) -> dt.datetime:
    """A reminder on `day`: at the reminders' hour, local, as an aware UTC moment."""
    return dt.datetime.combine(day, REMINDER_HOUR, tzinfo=ZONE).astimezone(dt.UTC)


def upgrade_opens(level1_decision: dt.date) -> dt.date:
    """The first day a level-1 unit may ask to be assessed for level 2."""
    calendar = _calendar("dvht_core.calendar")
    if calendar is not None:
        opens: dt.date = calendar.upgrade_opens(level1_decision)
        return opens
    return _add_months(level1_decision, UPGRADE_MONTHS)


def recognition_lapses(assessment_year: int, decision: dt.date | None) -> dt.date:
    """The first day a recognition of `assessment_year` no longer holds."""
    calendar = _calendar("dvht_core.calendar")
    if calendar is not None:
        lapses: dt.date = calendar.recognition_lapses(assessment_year, decision)
        return lapses
    return dt.date(assessment_year + RECOGNITION_YEARS + 1, 1, 1)


def expiry_reminder_day(assessment_year: int, decision: dt.date | None) -> dt.date:
    """The day of the "expiry" reminder, 60 days before the recognition lapses."""
    calendar = _calendar("dvht_core.calendar")
    if calendar is not None:
        day: dt.date = calendar.expiry_reminder_day(assessment_year, decision)
        return day
    return recognition_lapses(assessment_year, decision) - dt.timedelta(days=EXPIRY_DAYS_BEFORE)


def _add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later; the month's last day when it has no such day (29/02)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)


@dataclass(frozen=True)
class QuietHours:
    """The send window the calendar documents (`dvht_core.send_window.SendWindow`'s
    interface): nothing from `quiet_start` to `quiet_end` local, nothing on `holidays`; a
    closed day opens at `quiet_end` of the next open day."""

    quiet_start: dt.time = dt.time(21, 0)
    quiet_end: dt.time = dt.time(7, 0)
    holidays: frozenset[dt.date] = frozenset()

    def allowed(self, moment: dt.datetime) -> bool:
        local = moment.astimezone(ZONE)
        if local.date() in self.holidays:
            return False
        time = local.time()
        if self.quiet_start <= self.quiet_end:
            return not self.quiet_start <= time < self.quiet_end
        return self.quiet_end <= time < self.quiet_start

    def next_allowed(self, moment: dt.datetime) -> dt.datetime:
        if self.allowed(moment):
            return moment.astimezone(dt.UTC)
        local = moment.astimezone(ZONE)
        for offset in range(400):
            day = local.date() + dt.timedelta(days=offset)
            candidate = dt.datetime.combine(day, self.quiet_end, tzinfo=ZONE)
            if candidate > local and self.allowed(candidate):
                return candidate.astimezone(dt.UTC)
        raise ValueError("the send window is closed on every day of the coming year")


def default_window() -> Window:
    """Quiet hours and the holiday list of the calendar data."""
    module = _calendar("dvht_core.send_window")
    if module is not None:
        window: Window = module.default_window()
        return window
    return QuietHours()
