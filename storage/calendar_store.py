"""The calendar's rows: the dates offices add (`deadlines`, never deleted: a removal is marked
with who and when) and who receives the dossiers (`receiving_offices`), on SQLite and
PostgreSQL, and a unit's effective dossier deadline.

A unit's deadline rows are those of its assessment year whose office is the unit's office or
whose province is the unit's province. Provinces are compared as `dvht_core.provinces` reads
them (“TP Hà Nội” is “Hà Nội”, a unit stored under a province merged in 2025 belongs to the
province it joined): rows are written under the canonical name, and a unit's province is typed
by people. The tables are small (a few rows per province and year), so the rows of a year are
read and the province compared in Python; see `effective_deadline`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from conversations.errors import NotFound
from conversations.records import Actor, UnitRecord
from dvht_core.offices import OfficeSetting
from dvht_core.provinces import same_province
from dvht_core.unit_calendar import OfficeDeadline, UnitCalendar
from storage import audit
from storage.db import Database
from storage.tables import Deadline, Office, ReceivingOffice, Unit
from storage.types import utcnow
from storage.units import UnitRepository
from storage.uow import read


class DeadlineGone(Exception):
    """The deadline asked to be removed is unknown, or was removed before (`removed_at`)."""

    def __init__(self, deadline_id: int, removed_at: dt.datetime | None) -> None:
        super().__init__(f"deadline {deadline_id}")
        self.deadline_id = deadline_id
        self.removed_at = removed_at


@dataclass(frozen=True, slots=True)
class NewDeadline:
    """A checked date for `add_deadline` (the CLI checks it: `cli/commands/deadline.py`)."""

    year: int
    due_on: dt.date
    title: str
    province: str | None = None
    office_id: int | None = None


def _deadline(row: Deadline, office_name: str | None) -> OfficeDeadline:
    assert row.id is not None
    return OfficeDeadline(
        id=row.id,
        year=row.year,
        day=row.due_on,
        title=row.title,
        province=row.province,
        office_id=row.office_id,
        office_name=office_name,
    )


def office_name(session: Session, office_id: int) -> str:
    """The office's name; NotFound when there is no such office."""
    office = session.get(Office, office_id)
    if office is None:
        raise NotFound(f"office {office_id}")
    return office.name


def add_deadline(session: Session, *, actor: Actor, data: NewDeadline) -> OfficeDeadline:
    """Store an office's date (audited); the office must exist."""
    name = office_name(session, data.office_id) if data.office_id is not None else None
    row = Deadline(
        year=data.year,
        due_on=data.due_on,
        title=data.title,
        province=data.province,
        office_id=data.office_id,
        created_by=actor.person_id,
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    audit.record(
        session,
        actor=actor,
        action="deadline.add",
        unit_id=None,
        details={"deadline_id": row.id, "due_on": data.due_on.isoformat(), "title": data.title},
    )
    return _deadline(row, name)


def remove_deadline(
    session: Session, *, actor: Actor, deadline_id: int, now: dt.datetime | None = None
) -> OfficeDeadline:
    """Mark a date removed (the row stays, with who and when); DeadlineGone when it is unknown
    or already removed."""
    row = session.get(Deadline, deadline_id)
    if row is None or row.removed_at is not None:
        raise DeadlineGone(deadline_id, row.removed_at if row is not None else None)
    row.removed_at = now or utcnow()
    row.removed_by = actor.person_id
    session.add(row)
    audit.record(
        session,
        actor=actor,
        action="deadline.remove",
        unit_id=None,
        details={"deadline_id": deadline_id, "title": row.title},
    )
    name = office_name(session, row.office_id) if row.office_id is not None else None
    return _deadline(row, name)


def deadlines(
    session: Session,
    *,
    year: int | None = None,
    province: str | None = None,
    office_id: int | None = None,
) -> list[OfficeDeadline]:
    """The dates in force (not removed), earliest first: of a year, and of a province (its own
    rows and those of its offices) or of one office; all of them when neither is given."""
    query: Any = (
        select(Deadline, col(Office.name), col(Office.province))
        .outerjoin(Office, col(Office.id) == Deadline.office_id)
        .where(col(Deadline.removed_at).is_(None))
        .order_by(col(Deadline.due_on), col(Deadline.id))
    )
    if year is not None:
        query = query.where(col(Deadline.year) == year)
    found = []
    for row, name, office_province in session.exec(query).all():
        if office_id is not None and row.office_id != office_id:
            continue
        if province is not None:
            where = row.province if row.province is not None else office_province
            if where is None or not same_province(where, province):
                continue
        found.append(_deadline(row, name))
    return found


def set_office(
    session: Session,
    *,
    actor: Actor,
    province: str,
    tier: str,
    office: str,
    authority: str | None,
    effective_from: dt.date,
    unit_id: int | None = None,
) -> int:
    """Record who receives a tier's dossiers (and who recognises) from a date, for a province
    or one unit; the latest setting in force wins (`dvht_core.offices.resolve_office`)."""
    row = ReceivingOffice(
        province=province,
        unit_id=unit_id,
        tier=tier,
        effective_from=effective_from,
        office=office,
        authority=authority,
        set_by=actor.person_id,
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    audit.record(
        session,
        actor=actor,
        action="receiving_office.set",
        unit_id=unit_id,
        details={"province": province, "tier": tier, "office": office, "authority": authority},
    )
    return row.id


def office_settings(
    session: Session, *, province: str, unit_id: int | None = None
) -> list[OfficeSetting]:
    """The settings a unit of `province` (and `unit_id`, when given) may be concerned by."""
    query: Any = select(ReceivingOffice).order_by(col(ReceivingOffice.id))
    found = []
    for row in session.exec(query).all():
        assert row.id is not None
        mine = unit_id is not None and row.unit_id == unit_id
        wide = row.unit_id is None and same_province(row.province, province)
        if mine or wide:
            found.append(
                OfficeSetting(
                    province=row.province,
                    tier=row.tier,
                    effective_from=row.effective_from,
                    office=row.office,
                    authority=row.authority,
                    unit_id=row.unit_id,
                    id=row.id,
                )
            )
    return found


def unit_calendar(session: Session, *, unit: UnitRecord, year: int) -> UnitCalendar:
    """A unit's calendar for an assessment year: its offices' dates and its office settings."""
    own = [
        d
        for d in deadlines(session, year=year)
        if (unit.office_id is not None and d.office_id == unit.office_id)
        or (d.province is not None and same_province(d.province, unit.province))
    ]
    return UnitCalendar(
        year=year,
        tier=unit.tier,
        unit_type=unit.unit_type,
        province=unit.province,
        unit_id=unit.id,
        office_deadlines=tuple(own),
        office_settings=tuple(office_settings(session, province=unit.province, unit_id=unit.id)),
    )


def province_aliases(session: Session) -> dict[str, str]:
    """Each province as units store it (typed by people: “TP Hà Nội”, “ha noi”, a province
    merged in 2025) → the name the calendar's rows use (“Hà Nội”). For set-based SQL that joins
    `deadlines.province` or `receiving_offices.province` to units (the engine's planner): load
    this small map once (one row per distinct spelling) and join through it, so the SQL finds
    the same rows as `unit_calendar`. A spelling that names no province maps to itself."""
    from dvht_core.provinces import find_province

    typed = session.exec(select(Unit.province).distinct()).all()
    found = {name: find_province(name) for name in typed}
    return {name: hit.name if hit is not None else name for name, hit in found.items()}


def unit_exists(session: Session, unit_id: int) -> bool:
    return session.get(Unit, unit_id) is not None


class CalendarStore:
    """The calendar's reads for a caller with a database (the quick answers of `dvht ask`,
    `dvht deadline list`, the engine's planner when it checks one unit)."""

    def __init__(self, database: Database) -> None:
        self.database = database

    async def unit_calendar(self, unit_id: int, year: int) -> UnitCalendar:
        def load(session: Session) -> UnitCalendar:
            unit = UnitRepository().get(session, actor=Actor.operator(), unit_id=unit_id)
            return unit_calendar(session, unit=unit, year=year)

        return await read(self.database, load)

    async def effective_deadline(self, unit_id: int, year: int) -> dt.date:
        """The unit's dossier deadline for assessment year `year`: the earliest of the legal
        date and the non-removed office dates of that year for its office or its province."""
        return (await self.unit_calendar(unit_id, year)).deadline
