"""Every data access checks the caller's role and unit here, in one place."""

from __future__ import annotations

from sqlmodel import Session, select

from conversations.errors import AccessDenied, NotFound
from conversations.records import Actor
from storage.tables import Membership, ReviewerScope, Unit

MAY_ANSWER_SQL = (
    "(:operator OR EXISTS (SELECT 1 FROM memberships m WHERE m.unit_id = a.unit_id "
    "AND m.person_id = :person_id))"
)
"""`check_can_answer` as an SQL condition on the assessment `a`, for statements that check
again at the moment they write (bind `operator` = `actor.system`, `person_id`)."""


def _unit(session: Session, unit_id: int) -> Unit:
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise NotFound(f"unit {unit_id}")
    return unit


def role_in_unit(session: Session, *, person_id: int, unit_id: int) -> str | None:
    result = session.exec(
        select(Membership.role).where(
            Membership.person_id == person_id, Membership.unit_id == unit_id
        )
    )
    return result.first()


def reviews_unit(session: Session, *, person_id: int, office_id: int | None) -> bool:
    if office_id is None:
        return False
    result = session.exec(
        select(ReviewerScope.id).where(
            ReviewerScope.person_id == person_id, ReviewerScope.office_id == office_id
        )
    )
    return result.first() is not None


def ensure_can_read(session: Session, actor: Actor, unit_id: int) -> Unit:
    """Members of the unit and reviewers of its office may read it."""
    unit = _unit(session, unit_id)
    check_can_read(session, actor, unit_id=unit_id, office_id=unit.office_id)
    return unit


def check_can_read(session: Session, actor: Actor, *, unit_id: int, office_id: int | None) -> None:
    """`ensure_can_read` for a unit already loaded (saves a query on hot paths)."""
    if actor.system:
        return
    if actor.person_id is not None and (
        role_in_unit(session, person_id=actor.person_id, unit_id=unit_id) is not None
        or reviews_unit(session, person_id=actor.person_id, office_id=office_id)
    ):
        return
    raise AccessDenied(f"{actor.label} may not read unit {unit_id}")


def ensure_can_answer(session: Session, actor: Actor, unit_id: int) -> Unit:
    """Only the unit's own members (or the operator) enter answers and evidence."""
    unit = _unit(session, unit_id)
    role = (
        None
        if actor.system or actor.person_id is None
        else role_in_unit(session, person_id=actor.person_id, unit_id=unit_id)
    )
    check_can_answer(actor, role=role, unit_id=unit_id)
    return unit


def check_can_answer(actor: Actor, *, role: str | None, unit_id: int) -> None:
    """`ensure_can_answer` given the caller's role in the unit, already read (None: none)."""
    if actor.system or (actor.person_id is not None and role is not None):
        return
    raise AccessDenied(f"{actor.label} may not answer for unit {unit_id}")


def ensure_unit_admin(session: Session, actor: Actor, unit_id: int) -> Unit:
    """Invites and submission belong to the unit's admin."""
    unit = _unit(session, unit_id)
    if actor.system:
        return unit
    if actor.person_id is not None and (
        role_in_unit(session, person_id=actor.person_id, unit_id=unit_id) == "unit_admin"
    ):
        return unit
    raise AccessDenied(f"{actor.label} is not an admin of unit {unit_id}")


def ensure_reviewer(session: Session, actor: Actor, unit_id: int) -> Unit:
    """Returning or recognising a dossier belongs to the reviewing office."""
    unit = _unit(session, unit_id)
    if actor.system:
        return unit
    if actor.person_id is not None and reviews_unit(
        session, person_id=actor.person_id, office_id=unit.office_id
    ):
        return unit
    raise AccessDenied(f"{actor.label} does not review unit {unit_id}")
