"""Dashboard sessions, kept server-side (issue 15): the cookie carries a random token, this
table its sha256, so a leaked database holds no working session.

A session ends after `IDLE_LIMIT` without a request, or at logout. `last_seen_at` is written at
most once per `TOUCH_EVERY`: a page that loads its CSS and script makes three requests, and
writing the row three times would put a write lock (SQLite) on every page view for nothing.
The person's scope (the offices they review for, the units they administer) is read in the
same call with one UNION query, so a page costs one read transaction for who is asking.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import bindparam, text
from sqlmodel import Session, col, select, update

from storage.tables import Person, WebSession
from storage.types import UTCDateTime

IDLE_LIMIT = dt.timedelta(hours=8)
TOUCH_EVERY = dt.timedelta(minutes=1)

_SCOPE = text(
    "SELECT 'office' AS kind, office_id AS id FROM reviewer_scopes WHERE person_id = :person_id "
    "UNION ALL "
    "SELECT 'unit' AS kind, unit_id AS id FROM memberships "
    "WHERE person_id = :person_id AND role = 'unit_admin'"
)


@dataclass(frozen=True, slots=True)
class SessionOwner:
    """Who a live session belongs to and what they may see."""

    person_id: int
    name: str
    office_ids: frozenset[int]
    admin_unit_ids: frozenset[int]
    needs_touch: bool
    """`last_seen_at` is older than `TOUCH_EVERY`: the caller should `touch` the session."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def start(session: Session, *, person_id: int, now: dt.datetime) -> str:
    """A new session for the person; its token (for the cookie), shown nowhere else."""
    token = secrets.token_urlsafe(32)
    session.add(
        WebSession(
            token_hash=token_hash(token), person_id=person_id, created_at=now, last_seen_at=now
        )
    )
    session.flush()
    return token


def scope(session: Session, person_id: int) -> tuple[frozenset[int], frozenset[int]]:
    """The office ids the person reviews for and the unit ids they administer (one query)."""
    offices: set[int] = set()
    units: set[int] = set()
    for kind, row_id in session.connection().execute(_SCOPE, {"person_id": person_id}):
        (offices if kind == "office" else units).add(int(row_id))
    return frozenset(offices), frozenset(units)


def owner(session: Session, token: str, *, now: dt.datetime) -> SessionOwner | None:
    """The live session's owner, or None: unknown token, ended, idle too long, person gone."""
    row = session.exec(
        select(WebSession, Person.display_name)
        .join(Person, col(Person.id) == WebSession.person_id)
        .where(WebSession.token_hash == token_hash(token), col(WebSession.ended_at).is_(None))
    ).first()
    if row is None:
        return None
    kept, name = row
    if now - kept.last_seen_at >= IDLE_LIMIT:
        return None
    offices, units = scope(session, kept.person_id)
    return SessionOwner(
        person_id=kept.person_id,
        name=name,
        office_ids=offices,
        admin_unit_ids=units,
        needs_touch=now - kept.last_seen_at >= TOUCH_EVERY,
    )


_TOUCH = text(
    "UPDATE web_sessions SET last_seen_at = :now "
    "WHERE token_hash = :digest AND ended_at IS NULL AND last_seen_at > :idle_since"
).bindparams(bindparam("now", type_=UTCDateTime), bindparam("idle_since", type_=UTCDateTime))


def touch(session: Session, token: str, *, now: dt.datetime) -> None:
    """Mark the session used now (only if it is still live: an expired one stays expired)."""
    session.connection().execute(
        _TOUCH, {"now": now, "digest": token_hash(token), "idle_since": now - IDLE_LIMIT}
    )


def end(session: Session, token: str, *, now: dt.datetime) -> bool:
    """Logout: the session is over (True when there was a live one)."""
    result = session.exec(
        update(WebSession)
        .where(col(WebSession.token_hash) == token_hash(token), col(WebSession.ended_at).is_(None))
        .values(ended_at=now)
    )
    return bool(result.rowcount)
