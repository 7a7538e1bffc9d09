"""The audit log: who did what, when, to which unit. Written in the caller's transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, bindparam, text
from sqlmodel import Session

from conversations.records import Actor
from storage.runner import runner_for
from storage.types import UTCDateTime, utcnow

_AUDIT = text(
    "INSERT INTO audit_log (at, actor_person_id, actor_label, action, unit_id, details) "
    "VALUES (:at, :person_id, :label, :action, :unit_id, :details)"
).bindparams(bindparam("at", type_=UTCDateTime), bindparam("details", type_=JSON))


def record(
    session: Session,
    *,
    actor: Actor,
    action: str,
    unit_id: int | None,
    details: dict[str, Any] | None = None,
) -> None:
    """Write an audit row; it commits (or rolls back) with the change it describes.

    Hand-written SQL (see `storage.runner`): every answer a member types in the chat writes one.
    """
    runner_for(session).run(
        _AUDIT,
        {
            "at": utcnow(),
            "person_id": actor.person_id,
            "label": actor.label,
            "action": action,
            "unit_id": unit_id,
            "details": details or {},
        },
    )
