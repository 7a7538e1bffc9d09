"""The composition root: settings → database → storage adapters → conversation service."""

from __future__ import annotations

from dataclasses import dataclass

from bot.settings import Settings
from conversations.ports import FileSource
from conversations.service import ConversationService
from reports.renderer import ReportFiles
from storage.bootstrap import open_database
from storage.db import Database
from storage.dialogue_store import SqlDialogueStore
from storage.evidence_files import EvidenceFilesAdapter
from storage.evidence_store import LocalEvidenceStore


@dataclass
class App:
    database: Database
    service: ConversationService

    async def close(self) -> None:
        await self.database.close()


async def build_app(
    settings: Settings, *, files: FileSource | None = None, with_reports: bool = True
) -> App:
    database = await open_database(settings.database())
    store = LocalEvidenceStore(
        settings.data_dir / "evidence", max_bytes=settings.max_upload_mb * 1024 * 1024
    )
    service = ConversationService(
        SqlDialogueStore(database),
        files=files,
        evidence=EvidenceFilesAdapter(store),
        reports=ReportFiles() if with_reports else None,
    )
    return App(database, service)
