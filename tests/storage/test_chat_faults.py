"""What the chat says when the database fails: one sentence each for busy (tests/storage/
test_busy.py), a full disk (there too) and a database that is down or silent, with nothing
written and nothing logged as an internal error."""

from __future__ import annotations

import datetime as dt
import logging
import socket
import time
from typing import Any

import pytest
from sqlalchemy import event

from conversations import catalogue as say
from conversations.messages import Inbound, Outbound
from conversations.service import ConversationService
from storage.db import CONNECT_TIMEOUT_S, Database
from storage.dialogue_store import SqlDialogueStore

CLOCK = dt.datetime(2025, 11, 20, 2, 0, tzinfo=dt.UTC)
DOWN = [Outbound(say.STORAGE_DOWN, kind="error")]


def _service(database: Database) -> ConversationService:
    return ConversationService(SqlDialogueStore(database), clock=lambda: CLOCK)


def _message(update: str) -> Inbound:
    return Inbound("telegram", "lan", "lan", update, text="/start", display_name="Lan")


def _internal_errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


async def test_a_database_that_stays_down_is_told_as_down(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    database = Database(database_url)
    engine = database.sync_engine or (database.async_engine and database.async_engine.sync_engine)

    @event.listens_for(engine, "do_connect")
    def _refuse(*_: Any) -> None:
        raise ConnectionRefusedError(111, "Connection refused")

    try:
        assert await _service(database).handle(_message("1")) == DOWN
    finally:
        await database.close()
    assert say.STORAGE_DOWN != say.STORAGE_BUSY  # no longer "busy" for a database that is down
    assert not _internal_errors(caplog)


async def test_a_silent_server_is_given_up_in_seconds(caplog: pytest.LogCaptureFixture) -> None:
    """A server that accepts the connection and never answers: asyncpg's 60 s default, twice
    with the retry, held a message 120 s; now the connect timeout, once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        database = Database(f"postgresql+asyncpg://d@127.0.0.1:{sock.getsockname()[1]}/d")
        started = time.monotonic()
        try:
            assert await _service(database).handle(_message("1")) == DOWN
        finally:
            await database.close()
        took = time.monotonic() - started
    assert CONNECT_TIMEOUT_S - 0.5 <= took < CONNECT_TIMEOUT_S + 10, took
    assert not _internal_errors(caplog)
