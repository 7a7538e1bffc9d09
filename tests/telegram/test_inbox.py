"""The inbox of crash-safe polling on a real database (SQLite, and PostgreSQL when configured):
what it records, what a restart takes up again, and the conversation service answering a
replayed update with the replies kept in the message's own transaction."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from sqlalchemy import text
from sqlmodel import Session

from conversations import catalogue as say
from conversations.service import ConversationService
from reports.renderer import ReportFiles
from storage.db import Database
from storage.dialogue_store import SqlDialogueStore
from storage.evidence_files import EvidenceFilesAdapter
from storage.evidence_store import LocalEvidenceStore
from storage.inbox import KEEP_FINISHED, SqlInbox
from storage.tables import ProcessedUpdate
from storage.uow import read, transaction
from tests.conversations.driver import BotClient, FakeFiles, answer, fixed_clock, onboard


def payload(update_id: int) -> str:
    return json.dumps({"update_id": update_id, "message": {"text": "chào"}})


def service_on(
    database: Database, tmp_path: Path, *, keep_replies: bool = True, reports: bool = False
) -> ConversationService:
    return ConversationService(
        SqlDialogueStore(database),
        files=FakeFiles(),
        evidence=EvidenceFilesAdapter(LocalEvidenceStore(tmp_path / "evidence")),
        reports=ReportFiles() if reports else None,
        clock=fixed_clock(),
        keep_replies=keep_replies,
    )


async def scalar(database: Database, sql: str, **params: object) -> object:
    return await read(database, lambda session: session.execute(text(sql), params).scalar())


# --- the inbox itself ----------------------------------------------------------------------------


async def test_record_tells_new_updates_from_redeliveries(database: Database) -> None:
    inbox = SqlInbox(database, "telegram")
    first = await inbox.record([("7001", payload(7001)), ("7002", payload(7002))])
    assert first == {"7001", "7002"}
    # Telegram sends an unconfirmed batch again, and a batch may carry one update twice.
    again = await inbox.record([("7002", payload(7002)), ("7003", payload(7003))] * 2)
    assert again == {"7003"}
    other = await SqlInbox(database, "zalo").record([("7001", payload(7001))])
    assert other == {"7001"}, "update ids are per channel"


async def test_unfinished_entries_come_back_in_arrival_order(database: Database) -> None:
    inbox = SqlInbox(database, "telegram")
    # Arrival order, not the ids' text order ("10" sorts before "9").
    await inbox.record([("9", payload(9)), ("10", payload(10)), ("11", payload(11))])
    await inbox.finish(["10"])
    taken = await inbox.unfinished()
    assert [(e.update_id, e.attempts, e.handled) for e in taken] == [
        ("9", 2, False),
        ("11", 2, False),
    ]
    assert taken[0].payload == payload(9), "the update exactly as it was recorded"
    assert [e.attempts for e in await inbox.unfinished()] == [3, 3], "each start counts"
    assert await SqlInbox(database, "zalo").unfinished() == []


async def test_prune_forgets_only_long_finished_entries(database: Database) -> None:
    inbox = SqlInbox(database, "telegram")
    await inbox.record([("1", payload(1)), ("2", payload(2)), ("3", payload(3))])
    await inbox.finish(["1"])
    await inbox.finish(["2"])
    await inbox.prune()  # finished just now: still kept, so a redelivery is turned away
    assert await inbox.record([("1", payload(1))]) == set()
    later = dt.datetime.now(dt.UTC) + KEEP_FINISHED + dt.timedelta(minutes=1)
    await inbox.prune(now=later)
    assert await scalar(database, "SELECT count(*) FROM inbox") == 1
    assert [e.update_id for e in await inbox.unfinished()] == ["3"], "unfinished stays"


async def test_prune_forgets_handled_update_ids_but_not_those_an_unfinished_entry_needs(
    database: Database,
) -> None:
    """Telegram starts update ids afresh after a week without updates: an id kept for ever
    would one day turn a new update away as a duplicate."""
    inbox = SqlInbox(database, "telegram")
    await inbox.record([("1", payload(1)), ("3", payload(3))])
    await inbox.finish(["1"])

    def claim(session: Session) -> None:
        for update_id in ("1", "3", "99"):
            session.add(ProcessedUpdate(channel="telegram", update_id=update_id))
        session.add(ProcessedUpdate(channel="zalo", update_id="1"))

    await transaction(database, claim)
    await inbox.prune()  # handled just now: every id is still known
    assert await scalar(database, "SELECT count(*) FROM processed_updates") == 4
    later = dt.datetime.now(dt.UTC) + KEEP_FINISHED + dt.timedelta(minutes=1)
    await inbox.prune(now=later)
    kept = await read(
        database,
        lambda session: sorted(
            tuple(row)
            for row in session.execute(text("SELECT channel, update_id FROM processed_updates"))
        ),
    )
    assert kept == [("telegram", "3"), ("zalo", "1")], "the replay of 3 needs its id; zalo's own"


# --- the conversation service replaying an update ---------------------------------------------


async def test_a_replay_after_the_commit_answers_with_the_kept_replies(
    database: Database, tmp_path: Path
) -> None:
    inbox = SqlInbox(database, "telegram")
    service = service_on(database, tmp_path)
    client = BotClient(service, "lan", files=FakeFiles(), display_name="Lan")
    await onboard(client)  # updates in no inbox: nothing is kept for them
    assert await scalar(database, "SELECT count(*) FROM inbox") == 0

    inbound = client.inbound(button="v:y", update_id="tg-5001")
    await inbox.record([(inbound.update_id, payload(5001))])
    first = await service.handle(inbound)
    assert any(r.kind == "question" and r.buttons for r in first), first
    # The process died here, before the replies were sent: the entry is not finished, and the
    # restart hands the same update in again.
    [entry] = await inbox.unfinished()
    assert entry.handled
    again = await service.handle(inbound)
    assert again == first, "the same replies, buttons included"
    answers = "SELECT count(*) FROM answer_revisions WHERE indicator_id = '1.1'"
    assert await scalar(database, answers) == 1, "the answer is stored once"

    await inbox.finish([inbound.update_id])
    assert await service.handle(inbound) == [], "a finished update is a duplicate: nothing"


async def test_a_replay_before_the_commit_is_handled_from_scratch(
    database: Database, tmp_path: Path
) -> None:
    inbox = SqlInbox(database, "telegram")
    service = service_on(database, tmp_path)
    client = BotClient(service, "minh", files=FakeFiles(), display_name="Minh")
    await onboard(client)
    inbound = client.inbound(button="v:y", update_id="tg-5101")
    await inbox.record([(inbound.update_id, payload(5101))])
    # Killed during the download, say: nothing of the message was stored.
    [entry] = await inbox.unfinished()
    assert not entry.handled
    replies = await service.handle(inbound)
    assert any(r.kind == "question" for r in replies)
    assert [e.handled for e in await inbox.unfinished()] == [True]


async def test_without_keep_replies_nothing_is_kept_nor_replayed(
    database: Database, tmp_path: Path
) -> None:
    inbox = SqlInbox(database, "telegram")
    service = service_on(database, tmp_path, keep_replies=False)
    client = BotClient(service, "hoa", files=FakeFiles(), display_name="Hoa")
    inbound = client.inbound(text="/start", update_id="tg-5201")
    await inbox.record([(inbound.update_id, payload(5201))])
    assert await service.handle(inbound)
    assert await scalar(database, "SELECT count(*) FROM inbox WHERE outcome IS NULL") == 1
    assert await service.handle(inbound) == [], "a retried webhook sends nothing, as before"


async def test_a_report_cut_short_is_rendered_again(database: Database, tmp_path: Path) -> None:
    inbox = SqlInbox(database, "telegram")
    service = service_on(database, tmp_path, reports=True)
    client = BotClient(service, "mai", files=FakeFiles(), display_name="Mai")
    await onboard(client)
    await answer(client, "v:y")
    inbound = client.inbound(text="/baocao", update_id="tg-5301")
    await inbox.record([(inbound.update_id, payload(5301))])
    first = await service.handle(inbound)
    # Killed while rendering or sending the files: the restart sends the report all the same.
    again = await service.handle(inbound)
    names = [r.document.file_name for r in again if r.document is not None]
    assert names == [
        "bao-cao-tu-danh-gia_ubnd-xa-quang-phu_2025_2025-11-20.pdf",
        "bao-cao-tu-danh-gia_ubnd-xa-quang-phu_2025_2025-11-20.docx",
        "bang-tong-hop_ubnd-xa-quang-phu_2025_2025-11-20.xlsx",
    ]
    assert [r.text for r in again] == [r.text for r in first]
    assert say.REPORT_CAPTION in [r.text for r in again]
    pdf = next(r.document.data for r in again if r.document is not None)
    assert pdf.startswith(b"%PDF")
