"""The legal calendar of TT24, read from `rulebooks/calendar/calendar.yaml`: the dossier
deadline of an assessment year, a unit's effective deadline, the reminders' days, the day an
upgrade opens and the day a recognition lapses, and the dated entries a year holds.

Every date here is a Vietnamese calendar date (Asia/Ho_Chi_Minh). Deadlines are “trước ngày”
dates, as TT24 writes them: the dossier of 2026 goes “trước ngày 15/01/2027”, so 14/01 is the
last day to send it and the reminders count down to 15/01 (T-1 is 14/01). An office's own
internal date (table `deadlines`) is read the same way, and a unit's effective deadline is the
earliest of the legal date and its offices' dates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from dvht_core.calendar_data import CalendarEntry, ProvincialEntry, load_calendar
from dvht_core.numbers import add_months
from dvht_core.provinces import same_province
from dvht_core.vietnam_time import ZONE

REMINDER_OFFSETS: tuple[int, ...] = (30, 14, 7, 3, 1)
"""Days before a dossier deadline on which the members are reminded (kinds "T-30" … "T-1")."""
REMINDER_HOUR = dt.time(8, 0)
"""Local time of a reminder: the start of an office's day, well inside the send window."""


def dossier_deadline(year: int) -> dt.date:
    """The legal deadline of assessment year `year`'s dossier: “trước ngày 15/01” of the next
    year (TT24 Điều 10 khoản 1 điểm c; Điều 16)."""
    return load_calendar().entry("dossier").day(year)


def dossier_year(day: dt.date) -> int:
    """The assessment year whose dossier a date counts towards: the first year whose legal
    deadline falls on or after `day` (10/01/2027 and 15/01/2027 → 2026; 16/01/2027 → 2027)."""
    year = day.year - 1
    while dossier_deadline(year) < day:
        year += 1
    return year


def effective_deadline(year: int, office_dates: Iterable[dt.date] = ()) -> dt.date:
    """A unit's dossier deadline: the earliest of the legal one and the dates its offices set
    for that year (an office may only bring it forward)."""
    return min((dossier_deadline(year), *office_dates))


def days_left(deadline: dt.date, today: dt.date) -> int:
    """Days from `today` to a “trước ngày” deadline: 1 on its last day, 0 or less once past."""
    return (deadline - today).days


def reminder_kind(days_before: int) -> str:
    return f"T-{days_before}"


def reminder_due(deadline: dt.date, days_before: int) -> dt.datetime:
    """When the T-`days_before` reminder of a deadline is due: 08:00 local that day, in UTC."""
    day = deadline - dt.timedelta(days=days_before)
    return dt.datetime.combine(day, REMINDER_HOUR, tzinfo=ZONE).astimezone(dt.UTC)


def reminder_schedule(
    deadline: dt.date, offsets: Iterable[int] = REMINDER_OFFSETS
) -> tuple[tuple[str, dt.datetime], ...]:
    """Every member reminder of a deadline, as (kind, due moment in UTC), earliest first."""
    return tuple(
        (reminder_kind(n), reminder_due(deadline, n)) for n in sorted(set(offsets), reverse=True)
    )


def upgrade_opens(level1_decision: dt.date) -> dt.date:
    """The first day a level-1 unit may ask for level 2: 12 months after the decision (the
    reminder is due that day). Uncertain: see calendar.yaml `upgrade`."""
    return add_months(level1_decision, load_calendar().upgrade.months)


def recognition_lapses(assessment_year: int, decision: dt.date | None = None) -> dt.date:
    """The first day a recognition no longer holds. “Bảo lưu trong thời hạn 3 năm tiếp theo
    năm được công nhận”, counted from the assessment year (the configured reading, the earlier
    lapse) or from the year of the decision (`validity.reading: decision_year`; without a
    decision date, the year after the assessment year, when decisions are usually signed)."""
    validity = load_calendar().validity
    if validity.reading == "decision_year":
        start = decision.year if decision is not None else assessment_year + 1
    else:
        start = assessment_year
    return dt.date(start + validity.years + 1, 1, 1)


def expiry_reminder_day(assessment_year: int, decision: dt.date | None = None) -> dt.date:
    """The day of the "expiry" reminder: 60 days (configured) before the recognition lapses."""
    days = load_calendar().validity.remind_days_before
    return recognition_lapses(assessment_year, decision) - dt.timedelta(days=days)


@dataclass(frozen=True, slots=True)
class DatedEntry:
    """One date of a unit's year, as users read it."""

    key: str
    day: dt.date
    text: str
    source: str
    first_day: dt.date | None = None
    """The start of a period (the data year); None for a “trước ngày” date."""
    uncertain: bool = False
    note: str | None = None
    tiers: tuple[str, ...] = ("huyen", "tinh")
    province: str | None = None
    """The province whose plan sets the date (None: the law's, for every province)."""


def year_entries(
    year: int, *, tier: str | None, unit_type: str | None = None, province: str | None = None
) -> tuple[DatedEntry, ...]:
    """The dates of assessment year `year`'s cycle for a unit of this tier and type (None:
    every tier, every type), including those its province's plan adds, in date order."""
    data = load_calendar()
    tiers = ("huyen", "tinh") if tier is None else (tier,)
    chosen: list[CalendarEntry] = [
        e for e in data.entries if any(e.applies(t, unit_type) for t in tiers)
    ]
    if province:
        chosen += [
            e
            for e in data.provincial
            if any(e.applies(t, unit_type) for t in tiers) and same_province(e.province, province)
        ]
    found = [
        DatedEntry(
            key=e.key,
            day=e.day(year),
            text=e.text,
            source=e.source,
            first_day=e.first_day(year),
            uncertain=e.uncertain,
            note=e.note,
            tiers=e.tiers,
            province=e.province if isinstance(e, ProvincialEntry) else None,
        )
        for e in chosen
    ]
    return tuple(sorted(found, key=lambda d: (d.day, d.key)))
