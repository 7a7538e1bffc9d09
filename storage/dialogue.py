"""Conversation state per (channel, user) and processed update ids, for resumable, idempotent
dialogues."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
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
        values = {"channel": channel, "update_id": update_id, "processed_at": utcnow()}
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        claimed = session.exec(insert(ProcessedUpdate).values(values).on_conflict_do_nothing())
        return bool(claimed.rowcount == 1)
