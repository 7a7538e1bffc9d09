"""The roster chat's fixtures: the service as the bot wires it, with the real roster adapter
(`reports.roster_xlsx.RosterXlsx`) and, for the privacy test, the real report renderer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from conversations.service import ConversationService
from reports.renderer import ReportFiles
from reports.roster_xlsx import RosterXlsx
from storage.db import Database
from storage.dialogue_store import SqlDialogueStore
from storage.evidence_files import EvidenceFilesAdapter
from storage.evidence_store import LocalEvidenceStore
from tests.conversations.driver import BotClient, FakeFiles, fixed_clock


@pytest.fixture
def fake_files() -> FakeFiles:
    return FakeFiles()


@pytest.fixture
def service(database: Database, fake_files: FakeFiles, tmp_path: Path) -> ConversationService:
    return ConversationService(
        SqlDialogueStore(database),
        files=fake_files,
        evidence=EvidenceFilesAdapter(LocalEvidenceStore(tmp_path / "ev")),
        reports=ReportFiles(),
        clock=fixed_clock(),
        rosters=RosterXlsx(),
    )


@pytest.fixture
def make_client(service: ConversationService, fake_files: FakeFiles) -> Callable[..., BotClient]:
    def factory(
        user_id: str = "lan", name: str | None = "Lan", channel: str = "telegram"
    ) -> BotClient:
        return BotClient(service, user_id, files=fake_files, display_name=name, channel=channel)

    return factory
