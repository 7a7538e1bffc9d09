"""What a reviewer administers for their office from the dashboard (issue 15): the invite
codes of the office's units, the office's reviewers, and reading both.

Every function checks that the caller reviews for the office concerned (the system actor may
do anything, as elsewhere), and every change is audited in the caller's transaction.
Invite codes are made as the chat makes them (`storage.invites`: the same alphabet, only the
hash stored); what differs is who may: here a reviewer of the unit's office.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import delete
from sqlmodel import Session, col, select

from conversations.errors import AccessDenied, NotFound
from conversations.records import Actor
from storage import access, audit, login_links
from storage.invites import hash_code, new_code
from storage.tables import InviteCode, Office, Person, ReviewerScope, Unit

InviteStatus = Literal["active", "revoked", "expired", "used_up"]


@dataclass(frozen=True, slots=True)
class InviteRow:
    id: int
    unit_id: int
    unit_name: str
    role: str
    uses: int
    max_uses: int | None
    expires_at: dt.datetime
    created_at: dt.datetime
    status: InviteStatus


@dataclass(frozen=True, slots=True)
class OfficeRow:
    id: int
    name: str
    province: str
    kind: str | None
    reviewers: tuple[tuple[int, str, dt.datetime], ...]
    """(person id, name, since) of each reviewer."""


def _reviews(session: Session, actor: Actor, office_id: int) -> None:
    if session.get(Office, office_id) is None:
        raise NotFound(f"office {office_id}")
    if actor.system:
        return
    if actor.person_id is None or not access.reviews_unit(
        session, person_id=actor.person_id, office_id=office_id
    ):
        raise AccessDenied(f"{actor.label} does not review for office {office_id}")


def offices(session: Session, office_ids: frozenset[int]) -> list[OfficeRow]:
    """The offices (of the caller's scope) with their reviewers."""
    if not office_ids:
        return []
    people: dict[int, list[tuple[int, str, dt.datetime]]] = {}
    scopes = session.exec(
        select(ReviewerScope.office_id, Person.id, Person.display_name, ReviewerScope.created_at)
        .join(Person, col(Person.id) == ReviewerScope.person_id)
        .where(col(ReviewerScope.office_id).in_(office_ids))
        .order_by(col(Person.display_name), col(Person.id))
    )
    for office_id, person_id, name, since in scopes:
        people.setdefault(office_id, []).append((int(person_id or 0), name, since))
    rows = session.exec(
        select(Office).where(col(Office.id).in_(office_ids)).order_by(col(Office.id))
    )
    return [
        OfficeRow(
            id=office.id or 0,
            name=office.name,
            province=office.province,
            kind=office.kind,
            reviewers=tuple(people.get(office.id or 0, [])),
        )
        for office in rows
    ]


def office_units(session: Session, office_ids: frozenset[int], limit: int = 2000) -> list[Unit]:
    """The units of the offices, by name (the choices of the invite form)."""
    if not office_ids:
        return []
    query = (
        select(Unit)
        .where(col(Unit.office_id).in_(office_ids))
        .order_by(col(Unit.name), col(Unit.id))
        .limit(limit)
    )
    return list(session.exec(query))


def invites(
    session: Session, office_ids: frozenset[int], *, now: dt.datetime, limit: int = 500
) -> list[InviteRow]:
    """The invite codes of the offices' units, newest first (the codes themselves are not
    kept, only their hashes: a code is shown once, when it is issued)."""
    if not office_ids:
        return []
    query = (
        select(InviteCode, Unit.name)
        .join(Unit, col(Unit.id) == InviteCode.unit_id)
        .where(col(Unit.office_id).in_(office_ids))
        .order_by(col(InviteCode.id).desc())
        .limit(limit)
    )
    found = []
    for invite, unit_name in session.exec(query):
        status: InviteStatus = "active"
        if invite.revoked_at is not None:
            status = "revoked"
        elif invite.expires_at <= now:
            status = "expired"
        elif invite.max_uses is not None and invite.uses >= invite.max_uses:
            status = "used_up"
        found.append(
            InviteRow(
                id=invite.id or 0,
                unit_id=invite.unit_id,
                unit_name=unit_name,
                role=invite.role,
                uses=invite.uses,
                max_uses=invite.max_uses,
                expires_at=invite.expires_at,
                created_at=invite.created_at,
                status=status,
            )
        )
    return found


def issue_invite(
    session: Session,
    *,
    actor: Actor,
    unit_id: int,
    role: Literal["member", "unit_admin"],
    valid_for: dt.timedelta,
    max_uses: int | None,
    now: dt.datetime,
) -> tuple[str, dt.datetime]:
    """A new code for the unit (the caller reviews its office): the code, shown once, and
    its expiry."""
    access.ensure_reviewer(session, actor, unit_id)
    code = new_code()
    expires_at = now + valid_for
    session.add(
        InviteCode(
            unit_id=unit_id,
            code_hash=hash_code(code),
            role=role,
            max_uses=max_uses,
            expires_at=expires_at,
            created_by=actor.person_id,
            created_at=now,
        )
    )
    audit.record(
        session,
        actor=actor,
        action="invite.create",
        unit_id=unit_id,
        details={"role": role, "max_uses": max_uses, "expires_at": expires_at.isoformat()},
    )
    return code, expires_at


def revoke_invite(session: Session, *, actor: Actor, invite_id: int, now: dt.datetime) -> str:
    """Revoke a code of a unit the caller reviews; the unit's name. NotFound when there is no
    such code (or it is outside the caller's scope: the same answer)."""
    invite = session.get(InviteCode, invite_id)
    if invite is None:
        raise NotFound(f"invite {invite_id}")
    try:
        unit = access.ensure_reviewer(session, actor, invite.unit_id)
    except AccessDenied:
        raise NotFound(f"invite {invite_id}") from None
    if invite.revoked_at is None:
        invite.revoked_at = now
        session.add(invite)
        audit.record(
            session,
            actor=actor,
            action="invite.revoke",
            unit_id=invite.unit_id,
            details={"invite_id": invite.id},
        )
    return unit.name


def add_reviewer(
    session: Session, *, actor: Actor, office_id: int, name: str, now: dt.datetime
) -> tuple[int, str, dt.datetime]:
    """A new person reviewing for the office, and their first login link's token and expiry
    (to hand over once): (person id, token, expires at)."""
    _reviews(session, actor, office_id)
    person = Person(display_name=name, created_at=now)
    session.add(person)
    session.flush()
    assert person.id is not None
    session.add(ReviewerScope(person_id=person.id, office_id=office_id, created_at=now))
    audit.record(
        session,
        actor=actor,
        action="office.reviewer",
        unit_id=None,
        details={"office_id": office_id, "person_id": person.id, "name": name},
    )
    token, expires_at = login_links.issue(session, person_id=person.id, via="web", now=now)
    return person.id, token, expires_at


def remove_reviewer(session: Session, *, actor: Actor, office_id: int, person_id: int) -> str:
    """Take a reviewer off the office (never oneself: an office must not lock itself out by a
    slip); the person's name. NotFound when they do not review for it."""
    _reviews(session, actor, office_id)
    if person_id == actor.person_id:
        raise AccessDenied("a reviewer may not remove themselves")
    person = session.get(Person, person_id)
    removed = session.exec(
        delete(ReviewerScope).where(
            col(ReviewerScope.office_id) == office_id, col(ReviewerScope.person_id) == person_id
        )
    )
    if person is None or not removed.rowcount:
        raise NotFound(f"reviewer {person_id} of office {office_id}")
    audit.record(
        session,
        actor=actor,
        action="office.reviewer_remove",
        unit_id=None,
        details={"office_id": office_id, "person_id": person_id},
    )
    return person.display_name
