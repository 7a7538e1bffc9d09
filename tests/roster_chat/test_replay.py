"""A /danhsach replayed after a crash (Telegram long polling's inbox): the kept replies are
sent again with the template made again, as a kept report is rendered again."""

from __future__ import annotations

import json
from pathlib import Path

from conversations import catalogue as say
from conversations.service import ConversationService
from reports.roster_xlsx import RosterXlsx
from storage.db import Database
from storage.dialogue_store import SqlDialogueStore
from storage.evidence_files import EvidenceFilesAdapter
from storage.evidence_store import LocalEvidenceStore
from storage.inbox import SqlInbox
from tests.conversations.driver import BotClient, FakeFiles, fixed_clock, onboard


async def test_a_replayed_danhsach_sends_the_template_again(
    database: Database, tmp_path: Path
) -> None:
    files = FakeFiles()
    service = ConversationService(
        SqlDialogueStore(database),
        files=files,
        evidence=EvidenceFilesAdapter(LocalEvidenceStore(tmp_path / "ev")),
        clock=fixed_clock(),
        keep_replies=True,
        rosters=RosterXlsx(),
    )
    client = BotClient(service, "lan", files=files, display_name="Lan")
    await onboard(client)
    inbound = client.inbound(text="/danhsach", update_id="tg-7001")
    payload = json.dumps({"update_id": 7001, "message": {"text": "/danhsach"}})
    await SqlInbox(database, "telegram").record([(inbound.update_id, payload)])
    first = await service.handle(inbound)
    again = await service.handle(inbound)  # the process died before the replies went out
    assert [r.text for r in again] == [r.text for r in first]
    documents = [r.document for r in again if r.document is not None]
    assert len(documents) == 1
    assert documents[0].data.startswith(b"PK")
    assert again[-1].text == say.ROSTER_AWAIT
