"""The conversation tests' fixtures: the service on a test database, and scripted users.

The helpers they build on (`BotClient`, `build_service`, `FakeFiles`) are in driver.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from conversations.service import ConversationService
from storage.db import Database
from tests.conversations.driver import BotClient, FakeFiles, build_service


@pytest.fixture
def fake_files() -> FakeFiles:
    return FakeFiles()


@pytest.fixture
def evidence_root(tmp_path: Path) -> Path:
    return tmp_path / "ev"


@pytest.fixture
def make_service(fake_files: FakeFiles, evidence_root: Path) -> Callable[..., ConversationService]:
    """`make_service(database, clock=...)`: a new service object (as after a restart)."""

    def factory(
        database: Database, clock: Callable[[], dt.datetime] | None = None
    ) -> ConversationService:
        return build_service(database, files=fake_files, evidence_root=evidence_root, clock=clock)

    return factory


@pytest.fixture
def service(
    database: Database, make_service: Callable[..., ConversationService]
) -> ConversationService:
    return make_service(database)


@pytest.fixture
def make_client(service: ConversationService, fake_files: FakeFiles) -> Callable[..., BotClient]:
    def factory(
        user_id: str = "lan", name: str | None = "Lan", channel: str = "telegram"
    ) -> BotClient:
        return BotClient(service, user_id, files=fake_files, display_name=name, channel=channel)

    return factory


@pytest.fixture
def client(make_client: Callable[..., BotClient]) -> BotClient:
    return make_client()
