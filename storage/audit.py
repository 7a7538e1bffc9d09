"""The audit log: who did what, when, to which unit. Written in the caller's transaction."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from conversations.records import Actor
from storage.tables import AuditEntry


def record(
    session: Session,
    *,
    actor: Actor,
    action: str,
    unit_id: int | None,
    details: dict[str, Any] | None = None,
) -> None:
    """Add an audit row to the session; it commits (or rolls back) with the change it describes."""
    session.add(
        AuditEntry(
            actor_person_id=actor.person_id,
            actor_label=actor.label,
            action=action,
            unit_id=unit_id,
            details=details or {},
        )
    )
