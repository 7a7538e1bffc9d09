"""The operator's side of the review (issue 15, `dvht office add`, `dvht reviewer add`,
`dvht login-link`, `dvht review list`): offices, their reviewers, their scope of units, and the
dossiers an office has to decide on. Each function runs in the caller's transaction and
writes its audit row there.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from conversations.errors import NotFound
from conversations.records import Actor
from dvht_core.provinces import same_province
from storage import audit
from storage.tables import AssessmentRow, Office, Person, ReviewerScope, Unit

OFFICE_KINDS = ("so_gddt", "ubnd_xa", "ubnd_tinh", "phong_gddt", "khac")


def add_office(
    session: Session, *, actor: Actor, name: str, province: str, kind: str | None
) -> tuple[int, int]:
    """A new office for `province` (its official name); the province's active units that had
    no office are put in its scope. The office's id and how many units it took."""
    office = Office(name=name, province=province, kind=kind)
    session.add(office)
    session.flush()
    assert office.id is not None
    orphans = session.exec(
        select(Unit).where(col(Unit.office_id).is_(None), col(Unit.active).is_(True))
    ).all()
    taken = [u for u in orphans if same_province(u.province, province)]
    for unit in taken:
        unit.office_id = office.id
        session.add(unit)
    audit.record(
        session,
        actor=actor,
        action="office.add",
        unit_id=None,
        details={"office_id": office.id, "name": name, "province": province, "units": len(taken)},
    )
    return office.id, len(taken)


def add_reviewer(session: Session, *, actor: Actor, name: str, office_id: int) -> int:
    """A new person who reviews for `office_id`; their id."""
    if session.get(Office, office_id) is None:
        raise NotFound(f"office {office_id}")
    person = Person(display_name=name)
    session.add(person)
    session.flush()
    assert person.id is not None
    session.add(ReviewerScope(person_id=person.id, office_id=office_id))
    audit.record(
        session,
        actor=actor,
        action="reviewer.add",
        unit_id=None,
        details={"person_id": person.id, "office_id": office_id},
    )
    return person.id


def person_exists(session: Session, person_id: int) -> bool:
    return session.get(Person, person_id) is not None


def latest_year(session: Session, unit_id: int) -> int | None:
    """The unit's most recent assessment year (the dossier a review acts on by default)."""
    if session.get(Unit, unit_id) is None:
        raise NotFound(f"unit {unit_id}")
    found = session.exec(
        select(func.max(AssessmentRow.year)).where(AssessmentRow.unit_id == unit_id)
    ).one()
    return int(found) if found is not None else None


@dataclass(frozen=True, slots=True)
class DossierLine:
    unit_id: int
    unit_name: str
    office_id: int | None
    year: int
    status: str
    submitted_level: int | None
    submitted_at: dt.datetime | None
    recognised_level: int | None


def dossiers(
    session: Session, *, office_id: int | None, status: str | None, year: int | None
) -> list[DossierLine]:
    """The assessments (with their unit), of one office's units when given, of one status
    when given (None: every status), of one year when given; by unit, newest year first."""
    query = select(AssessmentRow, Unit).join(Unit, col(Unit.id) == col(AssessmentRow.unit_id))
    if office_id is not None:
        if session.get(Office, office_id) is None:
            raise NotFound(f"office {office_id}")
        query = query.where(Unit.office_id == office_id)
    if status is not None:
        query = query.where(AssessmentRow.status == status)
    if year is not None:
        query = query.where(AssessmentRow.year == year)
    query = query.order_by(col(Unit.id), col(AssessmentRow.year).desc())
    return [
        DossierLine(
            unit_id=unit.id or 0,
            unit_name=unit.name,
            office_id=unit.office_id,
            year=row.year,
            status=row.status,
            submitted_level=row.submitted_level,
            submitted_at=row.submitted_at,
            recognised_level=row.recognised_level,
        )
        for row, unit in session.exec(query).all()
    ]
