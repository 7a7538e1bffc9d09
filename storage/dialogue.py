"""Conversation state per (channel, user) and processed update ids, for resumable, idempotent
dialogues."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from conversations.errors import StaleState
from storage.tables import ConversationState, ProcessedUpdate
from storage.types import utcnow


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

    def save(
        self,
        session: Session,
        *,
        channel: str,
        user_id: str,
        state: dict[str, Any],
        version: int,
    ) -> int:
        """Save over `version` and return the new one; raise StaleState if someone saved first."""
        if version == 0:
            try:
                with session.begin_nested():
                    session.add(
                        ConversationState(channel=channel, user_id=user_id, state=state, version=1)
                    )
                    session.flush()
            except IntegrityError:
                raise StaleState(f"{channel}:{user_id}") from None
            return 1
        saved = session.exec(
            update(ConversationState)
            .where(
                col(ConversationState.channel) == channel,
                col(ConversationState.user_id) == user_id,
                col(ConversationState.version) == version,
            )
            .values(state=state, version=version + 1, updated_at=utcnow())
        )
        if saved.rowcount != 1:
            raise StaleState(f"{channel}:{user_id}")
        return version + 1


class ProcessedUpdateRepository:
    def claim(self, session: Session, *, channel: str, update_id: str) -> bool:
        """Record an update as processed; False if it was already (a retry or a replay)."""
        try:
            with session.begin_nested():
                session.add(ProcessedUpdate(channel=channel, update_id=update_id))
                session.flush()
        except IntegrityError:
            return False
        return True
