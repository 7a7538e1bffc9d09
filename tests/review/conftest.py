"""Fixtures of the review tests: the reminder tests' world of units, people and chats on a
real database (SQLite, and PostgreSQL with DVHT_TEST_DATABASE_URL), a clock moved by hand,
and the review use case built by its factory."""

from __future__ import annotations

import pytest

from review.service import ReviewService
from storage.db import Database
from storage.review_store import review_service
from tests.reminders.world import FakeClock, World, local


@pytest.fixture
def world(database: Database) -> World:
    return World(database)


@pytest.fixture
def clock() -> FakeClock:
    """2 February 2027, 10:00 in Hà Nội: the 2026 dossiers are in, offices decide."""
    return FakeClock(local(2027, 2, 2, 10))


@pytest.fixture
def service(database: Database, clock: FakeClock) -> ReviewService:
    return review_service(database, clock=clock)
