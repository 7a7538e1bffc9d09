"""A conversation's saved state, read on its own: for tests and tools that inspect one.

The chat reads the state together with its sender and saves it through its adapter
(`storage.dialogue_store`, on `storage.dialogue_sql`); this module writes nothing.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from storage.tables import ConversationState


class ConversationStateRepository:
    def load(self, session: Session, *, channel: str, user_id: str) -> tuple[dict[str, Any], int]:
        """The saved state and its version (0 and {} for a user never seen)."""
        result = session.exec(
            select(ConversationState).where(
                ConversationState.channel == channel, ConversationState.user_id == user_id
            )
        )
        row = result.first()
        return ({}, 0) if row is None else (dict(row.state), row.version)
