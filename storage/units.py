"""Units and the offices that review them."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from conversations.errors import AccessDenied, NotFound
from conversations.records import Actor, UnitChange, UnitRecord
from storage import access, audit, unit_changes
from storage.rows import unit_record
from storage.schemas import NewOffice, NewUnit, UnitChanges
from storage.tables import Membership, Office, ReviewerScope, Unit


def _units() -> Any:
    """Units with their office's name, in the columns `rows.unit_record` reads."""
    return select(  # type: ignore[call-overload]
        col(Unit.id).label("unit_id"),
        Unit.name,
        Unit.tier,
        Unit.unit_type,
        Unit.province,
        Unit.office_id,
        col(Office.name).label("office_name"),
        Unit.active,
    ).outerjoin(Office, col(Office.id) == Unit.office_id)


class UnitRepository:
    def create(self, session: Session, *, actor: Actor, data: NewUnit) -> UnitRecord:
        """Create a unit; a person creating one becomes its admin (the operator does not)."""
        if data.office_id is not None and session.get(Office, data.office_id) is None:
            raise NotFound(f"office {data.office_id}")
        unit = Unit(**data.model_dump())
        session.add(unit)
        session.flush()
        assert unit.id is not None
        if actor.person_id is not None:
            session.add(Membership(person_id=actor.person_id, unit_id=unit.id, role="unit_admin"))
        audit.record(
            session,
            actor=actor,
            action="unit.create",
            unit_id=unit.id,
            details={"name": unit.name, "type": unit.unit_type},
        )
        return self._get(session, unit.id)

    def update(
        self, session: Session, *, actor: Actor, unit_id: int, year: int, changes: UnitChanges
    ) -> tuple[UnitChange, ...]:
        """Correct the unit's details (totals: of the `year` assessment); admins only, each
        change audited, answers checked first (`storage.unit_changes`)."""
        return unit_changes.update(
            session, actor=actor, unit_id=unit_id, year=year, changes=changes
        )

    def changes(self, session: Session, *, actor: Actor, unit_id: int) -> list[UnitChange]:
        """The history of the unit's details, oldest first."""
        return unit_changes.history(session, actor=actor, unit_id=unit_id)

    def get(self, session: Session, *, actor: Actor, unit_id: int) -> UnitRecord:
        unit = self._get(session, unit_id)
        access.check_can_read(session, actor, unit_id=unit.id, office_id=unit.office_id)
        return unit

    def _get(self, session: Session, unit_id: int) -> UnitRecord:
        row = session.exec(_units().where(col(Unit.id) == unit_id)).first()
        if row is None:
            raise NotFound(f"unit {unit_id}")
        return unit_record(row._mapping)

    def list(self, session: Session, *, actor: Actor) -> list[UnitRecord]:
        """Units the caller may see: all for the operator, else memberships and scopes."""
        query = _units()
        if not actor.system:
            if actor.person_id is None:
                raise AccessDenied(actor.label)
            member_of = select(Membership.unit_id).where(Membership.person_id == actor.person_id)
            reviewed = select(ReviewerScope.office_id).where(
                ReviewerScope.person_id == actor.person_id
            )
            query = query.where(col(Unit.id).in_(member_of) | col(Unit.office_id).in_(reviewed))
        result = session.exec(query.order_by(col(Unit.id)))
        return [unit_record(row._mapping) for row in result.all()]


class OfficeRepository:
    def create(self, session: Session, *, actor: Actor, data: NewOffice) -> int:
        if not actor.system:
            raise AccessDenied(f"{actor.label} may not create offices")
        office = Office(**data.model_dump())
        session.add(office)
        session.flush()
        audit.record(
            session,
            actor=actor,
            action="office.create",
            unit_id=None,
            details={"name": office.name},
        )
        assert office.id is not None
        return office.id

    def add_reviewer(
        self, session: Session, *, actor: Actor, office_id: int, person_id: int
    ) -> None:
        if not actor.system:
            raise AccessDenied(f"{actor.label} may not appoint reviewers")
        session.add(ReviewerScope(person_id=person_id, office_id=office_id))
        audit.record(
            session,
            actor=actor,
            action="office.reviewer",
            unit_id=None,
            details={"office_id": office_id, "person_id": person_id},
        )
