"""Fixtures of the reminder engine's tests: a world of units and chats on a real database
(SQLite, and PostgreSQL with DVHT_TEST_DATABASE_URL), a clock moved by hand, the store."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from bot.telegram.client import make_bot
from bot.telegram.sender import TelegramSender
from storage.db import Database
from storage.reminder_store import SqlReminderStore
from tests.reminders.world import FakeClock, World, local
from tests.telegram.fake_bot_api import TOKEN, FakeBotApi


@pytest.fixture
def world(database: Database) -> World:
    return World(database)


@pytest.fixture
def store(database: Database) -> SqlReminderStore:
    return SqlReminderStore(database)


@pytest.fixture
def clock() -> FakeClock:
    """1 November 2026, 09:00 in Hà Nội: the 2026 dossier is due before 15/01/2027."""
    return FakeClock(local(2026, 11, 1))


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    with FakeBotApi() as fake:
        yield fake


@pytest.fixture
async def telegram(api: FakeBotApi) -> AsyncIterator[TelegramSender]:
    """The real Telegram sender over real HTTP to the fake Bot API (short backoff)."""
    bot = make_bot(TOKEN, api.url + "/")
    try:
        yield TelegramSender(bot, backoff_s=0.01)
    finally:
        await bot.session.close()
