"""Fixtures of the reminder engine's tests: a world of units and chats on a real database
(SQLite, and PostgreSQL with DVHT_TEST_DATABASE_URL), a clock moved by hand, the store."""

from __future__ import annotations

import pytest

from storage.db import Database
from storage.reminder_store import SqlReminderStore
from tests.reminders.world import FakeClock, World, local


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
