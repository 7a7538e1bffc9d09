"""/hoso: build the unit's dossier after the message's transaction and hand it to the channel
(the `conversations.dossier.DossierDesk` port).

The ZIP is written under DVHT_DATA_DIR/dossiers/<unit>/ (one file per unit and year, replaced
atomically by the next request, so the folder never grows) in a worker thread: building reads
every evidence file and takes seconds. Then, by channel:

* Telegram: the ZIP as a document sent from disk while it is at most 50 MB (the Bot API's
  upload limit for bots), else a signed link that expires (`web.links`).
* Zalo: a signed link (Zalo carries no documents).
* The console: the ZIP, which the console copies next to the reports.

Without a links service (DVHT_PUBLIC_URL unset) a ZIP that must be a link is replaced by one
sentence naming the `dvht dossier` command that gets it on the server.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from sqlmodel import Session

from conversations import catalogue as say
from conversations.dossier import DossierRequest, DossierSource, DossierWritten
from conversations.errors import AccessDenied, NotFound
from conversations.messages import Attachment, Outbound
from conversations.ports import ReportLinks
from conversations.records import Actor
from dvht_core import vietnam_time
from storage.db import Database
from storage.evidence_store import format_size
from storage.uow import read

log = logging.getLogger(__name__)

ZIP = "application/zip"
TELEGRAM_UPLOAD_LIMIT = 50 * 1024 * 1024
"""The Bot API's limit on a file a bot uploads (sendDocument)."""


class DossierDesk:
    def __init__(
        self,
        database: Database,
        *,
        evidence_root: Path,
        directory: Path,
        links: ReportLinks | None = None,
        upload_limit: int = TELEGRAM_UPLOAD_LIMIT,
    ) -> None:
        self.database = database
        self.evidence_root = evidence_root
        self.directory = directory
        self.links = links
        """Set by `bot.serve` once the HTTP backend's links exist (None: no DVHT_PUBLIC_URL)."""
        self.upload_limit = upload_limit

    async def deliver(self, request: DossierRequest) -> list[Outbound]:
        try:
            loaded = await read(self.database, lambda session: self._load(session, request))
            if isinstance(loaded, str):
                return [Outbound(loaded, kind="error")]
            written = await asyncio.to_thread(self._write, loaded, request)
            return await self._send(written, request)
        except Exception:  # the user gets one sentence whatever broke; the log the rest
            log.exception("dossier of unit %s failed", request.unit_id)
            return [Outbound(say.DOSSIER_FAILED, kind="error")]

    def _load(self, session: Session, request: DossierRequest) -> DossierSource | str:
        from storage.dossier_store import dossier_source
        from storage.review_store import admin_names

        try:
            source = dossier_source(
                session,
                actor=Actor.person(request.person_id),
                unit_id=request.unit_id,
                year=request.year,
                evidence_root=self.evidence_root,
            )
        except (AccessDenied, NotFound):
            return say.dossier_admins_only(admin_names(session, request.unit_id))
        if source is None:
            return say.DOSSIER_NO_ASSESSMENT
        if source.level == 0:
            return say.DOSSIER_NOTHING_TO_REQUEST
        return source

    def _write(self, source: DossierSource, request: DossierRequest) -> DossierWritten:
        from reports.dossier.builder import DossierZip, folder_name

        folder = self.directory / str(request.unit_id)
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        name = folder_name(source.assessment.unit_name or "", request.year)
        return DossierZip().write(source, folder / f"{name}.zip", today=request.today)

    async def _send(self, written: DossierWritten, request: DossierRequest) -> list[Outbound]:
        size = format_size(written.size)
        attachment = Attachment(written.path.name, ZIP, b"", path=written.path)
        fits = request.channel == "console" or (
            request.channel == "telegram" and written.size <= self.upload_limit
        )
        if fits:
            caption = say.dossier_caption(written.level, written.evidence_files, size)
            return [Outbound(caption, kind="dossier_file", document=attachment)]
        if self.links is None:
            return [Outbound(say.dossier_no_link(request.unit_id), kind="error")]
        link = await self.links.link(attachment)
        text = say.dossier_link(
            written.level,
            written.evidence_files,
            size,
            link.url,
            vietnam_time.today(link.expires_at),
        )
        return [Outbound(text, kind="answer")]
