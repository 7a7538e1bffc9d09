"""The Zalo channel driven through the dialogue over real HTTP: the fake Zalo Bot API, the real
conversation service on a real SQLite database, and in webhook mode the router behind a real
uvicorn server. Polling meets events delivered again (no offset) and answers each once."""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import sqlite3
import unicodedata
from pathlib import Path

import httpx
import pypdf
import pytest
from prometheus_client import REGISTRY

from bot.zalo.client import ZaloClient
from conversations import catalogue as say
from conversations.messages import Outbound
from conversations.ports import Delivery
from tests import evidence_samples
from tests.zalo.conftest import SECRET, Builder, Links, Previews, Running
from tests.zalo.fake_zalo_api import TOKEN, FakeZaloApi

LAN = "5f1e2d3c4b5a6978"
MINH = "0a9b8c7d6e5f4031"


class Chat:
    """One user's side of the chat: send an event (queued for polling, or pushed to the
    webhook) and wait for the bot's answer to it."""

    def __init__(self, api: FakeZaloApi, running: Running, user: str, name: str = "Lan") -> None:
        self.api = api
        self.running = running
        self.user = user
        self.name = name

    async def deliver(self, event: dict[str, object]) -> None:
        if self.running.webhook_port is None:
            self.api.enqueue(event)
        else:
            status, _ = await self.api.push(event)
            assert status == 200

    async def send(self, event: dict[str, object], expect: str) -> list[str]:
        """The texts the bot sent after `event`, once one of them contains `expect`."""
        since = self.api.mark()
        await self.deliver(event)
        await self.api.wait_for(
            "sendMessage", lambda c: c.chat_id == self.user and expect in c.text, since=since
        )
        await asyncio.sleep(0.1)  # anything sent right after it
        return self.api.texts(self.user, since=since)

    async def say(self, text: str, expect: str) -> list[str]:
        return await self.send(self.api.text_event(self.user, text, name=self.name), expect)


async def create_unit(chat: Chat) -> None:
    texts = await chat.say("/start", "1. Tạo đơn vị mới")
    assert "Chào Lan" in texts[0]
    assert "2. Tôi có mã mời" in texts[0], "options as a numbered list"
    await chat.say("1", "Tên đơn vị")
    await chat.say("UBND xã Quảng Phú", "tỉnh, thành phố")
    await chat.say("Hưng Yên", "1. UBND xã, phường")
    await chat.say("1", "bao nhiêu thành viên")
    texts = await chat.say("45", "Đã tạo đơn vị UBND xã Quảng Phú")
    assert any("1. Đạt" in t for t in texts), "the first indicator asked, numbered"


def identities(data_dir: Path) -> list[tuple[str, str]]:
    with contextlib.closing(sqlite3.connect(data_dir / "dvht.sqlite3")) as db:
        return db.execute("SELECT channel, external_id FROM channel_identities").fetchall()


def counted(outcome: str) -> float:
    labels = {"channel": "zalo", "outcome": outcome}
    return REGISTRY.get_sample_value("dvht_updates_total", labels) or 0.0


async def test_polling_dialogue_each_replayed_event_answered_once(
    api: FakeZaloApi, zalo: Builder
) -> None:
    answered, duplicates = counted("answered"), counted("duplicate")
    async with zalo() as running:
        chat = Chat(api, running, LAN)
        await create_unit(chat)
        saved = await chat.say("1", "Đã lưu 1.1: đạt.")
        assert any("Minh chứng cho 1.1" in t for t in saved)
        await asyncio.sleep(1.5)  # every replay of the events above delivered meanwhile
        assert api.pending == 0
    created = [t for t in api.texts(LAN) if "Đã tạo đơn vị" in t]
    assert len(created) == 1, "a replayed event is not answered again"
    polls = api.calls_of("getUpdates")
    assert len([c for c in polls if c.ok]) == 3 * 7, "each of the 7 events came 3 times"
    assert identities(running.data_dir) == [("zalo", LAN)]
    assert counted("answered") - answered == 7
    assert counted("duplicate") - duplicates == 2 * 7, "the replays, counted"


async def test_polling_removes_an_old_webhook_first(api: FakeZaloApi, zalo: Builder) -> None:
    client = ZaloClient(TOKEN, api.url)
    await client.set_webhook("https://old.example.vn/zalo/webhook", "old-secret-123")
    await client.close()
    async with zalo() as running:
        chat = Chat(api, running, LAN)
        await chat.say("/start", "1. Tạo đơn vị mới")
    assert api.webhook["url"] == ""
    assert [c.method for c in api.calls_of() if c.method != "getUpdates"][:4] == [
        "setWebhook",
        "getWebhookInfo",
        "deleteWebhook",
        "sendMessage",
    ]


async def test_webhook_dialogue_and_a_photo_as_evidence(
    api: FakeZaloApi, zalo: Builder, links: Links
) -> None:
    async with zalo(webhook=True) as running:
        assert api.webhook["url"] == f"http://127.0.0.1:{running.webhook_port}/zalo/webhook"
        assert api.webhook_secret == SECRET
        chat = Chat(api, running, LAN)
        await create_unit(chat)
        await chat.say("đạt", "Minh chứng cho 1.1")
        photo = api.serve_media(evidence_samples.jpeg())
        texts = await chat.send(api.image_event(LAN, photo), "Đã nhận tệp Ảnh minh chứng 1.1")
        assert not any(say.ZALO_PHOTO_NOT_IMAGE in t for t in texts)
    assert api.calls_of("getUpdates") == [], "webhook mode never polls"
    stored = list((running.data_dir / "evidence").rglob("*"))
    assert any(p.is_file() for p in stored), "the photo is in the evidence store"


async def test_webhook_refuses_a_wrong_or_missing_secret(api: FakeZaloApi, zalo: Builder) -> None:
    async with zalo(webhook=True):
        before = api.mark()
        for secret in ("wrong-secret-0000000", None, SECRET + "x", "ẞecret-non-ascii"):
            status, _ = await api.push(api.text_event(MINH, "/start"), secret=secret)
            assert status == 401, secret
        await asyncio.sleep(0.3)
        assert api.calls_of("sendMessage", since=before) == [], "nothing processed"
        status, _ = await api.push(api.text_event(MINH, "/start"))
        assert status == 200
    assert [(c, u) for c, u in identities(Path.cwd()) if u == MINH] == [("zalo", MINH)]


async def test_webhook_refuses_a_body_over_one_mebibyte(api: FakeZaloApi, zalo: Builder) -> None:
    async with zalo(webhook=True) as running:
        async with httpx.AsyncClient() as http:
            answer = await http.post(
                f"http://127.0.0.1:{running.webhook_port}/zalo/webhook",
                content=b"{" + b" " * (1024 * 1024 + 10) + b"}",
                headers={"X-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"},
            )
        assert answer.status_code == 413


async def test_a_photo_that_is_not_an_image_is_refused_in_one_sentence(
    api: FakeZaloApi, zalo: Builder
) -> None:
    async with zalo() as running:
        chat = Chat(api, running, LAN)
        await create_unit(chat)
        await chat.say("1", "Minh chứng cho 1.1")
        page = api.serve_media(b"<html>not a photo</html>", content_type="image/jpeg")
        texts = await chat.send(api.image_event(LAN, page), say.ZALO_PHOTO_NOT_IMAGE)
        assert any("Minh chứng cho 1.1" in t for t in texts), "the same question again"
        huge = api.serve_media(evidence_samples.jpeg() + b"\0" * (21 * 1024 * 1024))
        texts = await chat.send(api.image_event(LAN, huge), "Ảnh quá lớn")


async def test_sticker_unsupported_and_group(api: FakeZaloApi, zalo: Builder) -> None:
    async with zalo() as running:
        chat = Chat(api, running, LAN)
        await chat.say("/start", "1. Tạo đơn vị mới")
        texts = await chat.send(api.sticker_event(LAN), say.sticker(False))
        assert any("1. Tạo đơn vị mới" in t for t in texts), "then the question again"
        await chat.send(api.unsupported_event(LAN), say.ZALO_UNSUPPORTED)
        group = "9c8b7a6f5e4d3c2b"
        since = api.mark()
        api.enqueue(api.text_event(MINH, "/start", name="Minh", group=group))
        await api.wait_for("sendMessage", lambda c: c.chat_id == group, since=since)
        assert api.texts(group, since=since)[0] == say.ZALO_GROUP
        assert api.texts(MINH) == []
    assert identities(running.data_dir) == [("zalo", LAN)], "nothing of the group stored"


async def test_report_as_links_with_a_page_one_preview(
    api: FakeZaloApi, zalo: Builder, previews: Previews
) -> None:
    async with zalo() as running:
        chat = Chat(api, running, LAN)
        await create_unit(chat)
        since = api.mark()
        texts = await chat.say("/baocao", "Tải báo cáo (Excel)")
        photo = await api.wait_for("sendPhoto", since=since)
        pdf_line = next(
            line for t in texts for line in t.splitlines() if "Tải báo cáo (PDF)" in line
        )
        assert "hết hạn" in pdf_line
        kinds = {}
        pdf = b""
        async with httpx.AsyncClient() as http:
            for line in (
                ln for t in texts for ln in t.splitlines() if ln.startswith("Tải báo cáo")
            ):
                url = line.split(": ", 1)[1].split(" — ")[0]
                answer = await http.get(url)
                assert answer.status_code == 200
                kinds[line.split("(")[1].split(")")[0]] = answer.content[:4]
                if "(PDF)" in line:
                    pdf = answer.content
                    assert answer.headers["content-type"] == "application/pdf"
                    assert "filename*=UTF-8''" in answer.headers["content-disposition"]
                    forged = url[:-6] + ("A" if url[-6] != "A" else "B") + url[-5:]
                    assert (await http.get(forged)).status_code == 403
                    assert (await http.get(url[:-10])).status_code == 403
            preview = await http.get(photo.params["photo"])
    assert kinds["PDF"] == b"%PDF"
    extracted = unicodedata.normalize(
        "NFC", "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    )
    assert "UBND xã Quảng Phú" in " ".join(extracted.split())
    assert kinds["Word"] == kinds["Excel"] == b"PK\x03\x04"
    assert preview.content.startswith(b"\x89PNG")
    assert "/r/" in photo.params["photo"], "the photo's URL is a signed link too"
    assert len(previews.made) == 1
    assert photo.params["caption"] == say.ZALO_PREVIEW_CAPTION
    sends = [c for c in api.calls_of(since=since) if c.method in ("sendMessage", "sendPhoto")]
    order = [c.method if c.method == "sendPhoto" else c.text for c in sends]
    links_at = next(i for i, t in enumerate(order) if "Tải báo cáo (Excel)" in t)
    assert order[links_at + 1] == "sendPhoto", "the preview right after the links"
    assert api.sent(LAN, method="sendChatAction", since=since), "typing while it renders"


async def test_a_broken_preview_does_not_lose_the_links(
    api: FakeZaloApi, zalo: Builder, previews: Previews
) -> None:
    previews.broken = True
    async with zalo() as running:
        chat = Chat(api, running, LAN)
        await create_unit(chat)
        since = api.mark()
        texts = await chat.say("/baocao", "Tải báo cáo (Excel)")
    assert any("Tải báo cáo (PDF): http://" in t for t in texts)
    assert api.calls_of("sendPhoto", since=since) == []


async def test_a_link_that_cannot_be_made_is_said_in_one_sentence(
    api: FakeZaloApi, zalo: Builder, links: Links
) -> None:
    async with zalo() as running:
        chat = Chat(api, running, LAN)
        await create_unit(chat)
        links.fail = True
        texts = await chat.say("/baocao", say.ZALO_REPORT_LINK_FAILED)
    assert not any("http://" in t for t in texts)


async def test_a_reset_token_is_reported_once_and_polling_stops(
    api: FakeZaloApi, zalo: Builder, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with zalo() as running:
        chat = Chat(api, running, LAN)
        await chat.say("/start", "1. Tạo đơn vị mới")
        api.reset_token()
        api.enqueue(api.text_event(LAN, "1"))
        await asyncio.wait_for(running.channel.revoked.wait(), timeout=20)
        await asyncio.sleep(0.5)  # a poll already on its way is answered (and abandoned)
        polls = len(api.calls_of("getUpdates"))
        await asyncio.sleep(1.5)
        assert len(api.calls_of("getUpdates")) == polls, "polling stopped"
        assert not running.stop.is_set(), "the process goes on"
        delivery = await running.channel.notifier.push(LAN, [Outbound("Nhắc")])
        assert delivery == Delivery("failed")
    refused = [r for r in caplog.records if "ZALO_BOT_TOKEN" in r.getMessage()]
    assert len(refused) == 1, "logged once"
    secret_part = TOKEN.partition(":")[2]
    for record in caplog.records:
        assert secret_part not in record.getMessage()
        assert secret_part not in (record.exc_text or "")


async def test_pushes_sent_and_quota(api: FakeZaloApi, zalo: Builder) -> None:
    async with zalo() as running:
        notifier = running.channel.notifier
        assert await notifier.push(LAN, [Outbound("Nhắc hạn nộp hồ sơ")]) == Delivery("sent")
        api.fail("sendMessage", 429)
        delivery = await notifier.push(LAN, [Outbound("Nhắc lần hai")])
        assert delivery.status == "retry_after"
        assert delivery.retry_after_s is not None
    assert api.texts(LAN) == ["Nhắc hạn nộp hồ sơ"]


async def test_one_users_events_keep_their_order(api: FakeZaloApi, zalo: Builder) -> None:
    """Several events of one user queued at once are answered in the order they came."""
    async with zalo():
        since = api.mark()
        api.enqueue(
            api.text_event(LAN, "/start"),
            api.text_event(LAN, "1"),
            api.text_event(LAN, "UBND phường Tây Hồ"),
        )
        await api.wait_for("sendMessage", lambda c: "tỉnh, thành phố" in c.text, since=since)
        texts = api.texts(LAN, since=since)
    assert "Chào Lan" in texts[0]
    assert "Tên đơn vị" in texts[1]
    assert "tỉnh, thành phố" in texts[2]
