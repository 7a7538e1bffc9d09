"""One unit's calendar for an assessment year: its offices' own dates and the settings of who
receives its dossier, as storage loads them (`storage/calendar_store.py`), with the rules that
read them. Pure data, so the conversation engine answers “còn bao nhiêu ngày” or “nộp cho ai”
from its context alone, and the command line and the engine's planner agree with it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dvht_core import calendar
from dvht_core.offices import OfficeSetting, ResolvedOffice, resolve_office


@dataclass(frozen=True, slots=True)
class OfficeDeadline:
    """A row of `deadlines`: a date an office set for a province or for the units it reviews."""

    id: int
    year: int
    day: dt.date
    title: str
    province: str | None = None
    office_id: int | None = None
    office_name: str | None = None


@dataclass(frozen=True, slots=True)
class UnitCalendar:
    """What a unit's dates and offices depend on, for one assessment year."""

    year: int
    tier: str
    unit_type: str | None
    """None: no unit yet (every type's dates and notes apply)."""
    province: str
    unit_id: int | None = None
    office_deadlines: tuple[OfficeDeadline, ...] = ()
    office_settings: tuple[OfficeSetting, ...] = ()

    @property
    def legal_deadline(self) -> dt.date:
        return calendar.dossier_deadline(self.year)

    @property
    def earliest_office_deadline(self) -> OfficeDeadline | None:
        """The office date that moves the deadline forward, if any (the earliest; a date on
        or after the legal one moves nothing)."""
        earlier = [d for d in self.office_deadlines if d.day < self.legal_deadline]
        return min(earlier, key=lambda d: (d.day, d.id)) if earlier else None

    @property
    def deadline(self) -> dt.date:
        """The effective dossier deadline: the earliest of the legal date and the offices'."""
        return calendar.effective_deadline(self.year, (d.day for d in self.office_deadlines))

    def office(self) -> ResolvedOffice:
        """Who receives this year's dossier and who recognises, on its effective deadline."""
        return resolve_office(
            self.office_settings,
            province=self.province,
            tier=self.tier,
            on=self.deadline,
            unit_id=self.unit_id,
            unit_type=self.unit_type,
        )
