"""Fixtures for the linking tests: the real conversation service on a real database, a clock
the tests move (code expiry, the 15-minute lock), and users on two channels."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from conversations.service import ConversationService
from storage.db import Database
from tests.conversations.driver import FIXED_NOW, BotClient, FakeFiles, build_service


class MovingClock:
    """The service's clock (`ConversationService(clock=…)`), moved by hand."""

    def __init__(self, start: dt.datetime = FIXED_NOW) -> None:
        self.moment = start

    def __call__(self) -> dt.datetime:
        return self.moment

    def advance(self, **delta: float) -> None:
        self.moment += dt.timedelta(**delta)


@pytest.fixture
def clock() -> MovingClock:
    return MovingClock()


@pytest.fixture
def fake_files() -> FakeFiles:
    return FakeFiles()


@pytest.fixture
def service(
    database: Database, fake_files: FakeFiles, tmp_path: Path, clock: MovingClock
) -> ConversationService:
    return build_service(database, files=fake_files, evidence_root=tmp_path / "ev", clock=clock)


@pytest.fixture
def make_client(service: ConversationService, fake_files: FakeFiles) -> Callable[..., BotClient]:
    def factory(user_id: str, name: str | None, channel: str) -> BotClient:
        return BotClient(service, user_id, files=fake_files, display_name=name, channel=channel)

    return factory
