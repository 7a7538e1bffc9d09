"""/hoso in the chat (SQLite, and PostgreSQL when configured), through the real conversation
service and `bot.dossier_desk`: the unit's admin gets the ZIP (the console saves it; Telegram
uploads it from disk, a multipart sendDocument to the fake Bot API); above the upload limit
and on Zalo a signed link that serves the same bytes; without links one sentence naming the
server command; a member who is not an admin gets the admins' names and no file."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import zipfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from aiogram import Bot

from bot.console import render
from bot.dossier_desk import DossierDesk
from bot.telegram.client import make_bot
from bot.telegram.sender import TelegramSender
from conversations import catalogue as say
from conversations.messages import Inbound, Outbound
from conversations.service import ConversationService
from dvht_core import vietnam_time
from storage.db import Database
from storage.dialogue_store import SqlDialogueStore
from tests.dossier.world import World, build_world, member
from tests.telegram.fake_bot_api import TOKEN, FakeBotApi, Upload
from web.links import SignedLinks

NOW = dt.datetime(2025, 11, 20, 9, 0, tzinfo=vietnam_time.ZONE)
UPDATES = itertools.count(1)


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    with FakeBotApi() as fake:
        yield fake


@pytest.fixture
async def bot(api: FakeBotApi) -> AsyncIterator[Bot]:
    bot = make_bot(TOKEN, api.url + "/")
    try:
        yield bot
    finally:
        await bot.session.close()


def _links(tmp_path: Path) -> SignedLinks:
    return SignedLinks(
        secret=b"s" * 32,
        base_url="https://dvht.example.vn",
        directory=tmp_path / "links",
        ttl=dt.timedelta(days=7),
    )


async def _setup(
    database: Database, tmp_path: Path, *, links: SignedLinks | None, limit: int = 50 * 2**20
) -> tuple[World, ConversationService, DossierDesk]:
    world = await build_world(database, tmp_path / "evidence")
    desk = DossierDesk(
        database,
        evidence_root=world.root,
        directory=tmp_path / "dossiers",
        links=links,
        upload_limit=limit,
    )
    service = ConversationService(
        SqlDialogueStore(database), dossiers=desk, clock=lambda: NOW.astimezone(dt.UTC)
    )
    return world, service, desk


async def _ask(
    service: ConversationService, channel: str, user: str, text: str = "/hoso"
) -> list[Outbound]:
    inbound = Inbound(
        channel=channel,  # type: ignore[arg-type]
        user_id=user,
        chat_id=user,
        update_id=str(next(UPDATES)),
        text=text,
        display_name="Trần Thị Bình",
    )
    return await service.handle(inbound)


async def test_the_admin_gets_the_zip_on_the_console(database: Database, tmp_path: Path) -> None:
    world, service, _ = await _setup(database, tmp_path, links=None)
    await member(database, world.unit_id, "console", "admin", role="unit_admin")
    replies = await _ask(service, "console", "admin", "tải hồ sơ")
    assert replies[0].kind == "dossier"
    sent = replies[1]
    assert sent.document is not None
    assert sent.document.path is not None
    assert sent.document.data == b"", "the ZIP is never read into memory"
    assert "Hồ sơ đề nghị công nhận mức độ" in sent.text
    shown = render(replies, tmp_path / "saved")
    saved = next((tmp_path / "saved").glob("ho-so_*.zip"))
    assert f"Đã lưu tệp: {saved}" in shown
    assert zipfile.ZipFile(saved).testzip() is None


async def test_telegram_uploads_the_zip_from_disk(
    database: Database, tmp_path: Path, api: FakeBotApi, bot: Bot
) -> None:
    world, service, _ = await _setup(database, tmp_path, links=None)
    await member(database, world.unit_id, "telegram", "5001", role="unit_admin")
    replies = await _ask(service, "telegram", "5001")
    await TelegramSender(bot).send("5001", "5001", replies)
    documents = api.calls_of("sendDocument")
    assert len(documents) == 1
    upload = documents[0].params["document"]
    assert isinstance(upload, Upload)
    assert upload.filename.startswith("ho-so_ubnd-xa-quang-phu_2025")
    attached = replies[1].document
    assert attached is not None
    assert attached.path is not None
    assert upload.data == attached.path.read_bytes()
    assert "tệp minh chứng" in documents[0].params["caption"]


async def test_above_the_limit_and_on_zalo_a_signed_link_serves_the_same_zip(
    database: Database, tmp_path: Path
) -> None:
    links = _links(tmp_path)
    # 1 KB stands in for the Bot API's 50 MB: the rule is the same, the test stays fast.
    world, service, desk = await _setup(database, tmp_path, links=links, limit=1024)
    await member(database, world.unit_id, "telegram", "5002", role="unit_admin")
    await member(database, world.unit_id, "zalo", "zalo-admin", role="unit_admin")
    for channel, user in (("telegram", "5002"), ("zalo", "zalo-admin")):
        replies = await _ask(service, channel, user)
        assert all(r.document is None for r in replies)
        text = replies[-1].text
        assert "Tải hồ sơ (ZIP) tại: https://dvht.example.vn/r/" in text
        token = text.split("/r/", 1)[1].split()[0]
        served = links.open(token)
        assert served is not None
        assert served.mime_type == "application/zip"
        zipped = next((tmp_path / "dossiers" / str(world.unit_id)).glob("*.zip"))
        digest = hashlib.sha256(zipped.read_bytes()).hexdigest()
        assert hashlib.sha256(served.path.read_bytes()).hexdigest() == digest
    assert desk.links is links


async def test_without_links_one_sentence_names_the_server_command(
    database: Database, tmp_path: Path
) -> None:
    world, service, _ = await _setup(database, tmp_path, links=None)
    await member(database, world.unit_id, "zalo", "zalo-1", role="unit_admin")
    replies = await _ask(service, "zalo", "zalo-1")
    assert replies[-1].kind == "error"
    assert f"dvht dossier --unit {world.unit_id}" in replies[-1].text
    assert all(r.document is None for r in replies)


async def test_a_member_who_is_not_an_admin_gets_the_admins_names(
    database: Database, tmp_path: Path
) -> None:
    world, service, _ = await _setup(database, tmp_path, links=None)
    await member(database, world.unit_id, "console", "admin-2", role="unit_admin")
    await member(database, world.unit_id, "console", "member-1", name="Lê Văn C")
    replies = await _ask(service, "console", "member-1")
    assert all(r.document is None for r in replies)
    assert say.DOSSIER_PREPARING not in [r.text for r in replies], "nothing is packed for them"
    assert replies[-1].text.startswith("Chỉ quản trị viên của đơn vị mới tải được cả hồ sơ: ")
    assert "Nguyễn Văn An" in replies[-1].text  # the admin's name (tests' default person)
    assert not (tmp_path / "dossiers").exists(), "no ZIP is built for a member"
