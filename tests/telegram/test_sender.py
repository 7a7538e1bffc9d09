"""The sender and the file fetcher against the fake Bot API over real HTTP: retries on flood
limits and server errors, blocked users, dropped replies, stale keyboards, documents, and
pushes (the Notifier port): sent, blocked, retry after, failed."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import time
from pathlib import Path

import aiohttp
import pytest
from aiogram import Bot

from bot.settings import Settings
from bot.telegram.files import TOO_BIG, TelegramFiles
from bot.telegram.sender import ATTEMPTS, TelegramSender
from bot.wiring import build_telegram
from conversations import buttons
from conversations.messages import Attachment, Button, FileInfo, Inbound, Outbound
from conversations.ports import Delivery, EvidenceRefused, Notifier
from tests.telegram.fake_bot_api import TOKEN, FakeBotApi, Upload

LAN = 1001
MINH = 1002
YES_NO = (
    Button("v:y", "Đạt"),
    Button("v:n", "Chưa đạt"),
    buttons.SKIP,
    buttons.BACK,
)


class Blocked:
    def __init__(self) -> None:
        self.users: list[str] = []

    async def __call__(self, user_id: str) -> None:
        self.users.append(user_id)


@pytest.fixture
def blocked() -> Blocked:
    return Blocked()


@pytest.fixture
def sender(bot: Bot, blocked: Blocked) -> TelegramSender:
    return TelegramSender(bot, on_blocked=blocked, backoff_s=0.01)


def statuses(api: FakeBotApi, method: str = "sendMessage") -> list[int]:
    return [call.status for call in api.calls_of(method)]


async def test_consecutive_texts_go_out_as_one_message(
    api: FakeBotApi, sender: TelegramSender
) -> None:
    await sender.send(
        str(LAN),
        str(LAN),
        [Outbound("Đã lưu 1.1: đạt."), Outbound("Chỉ tiêu 2/13", YES_NO), Outbound("Gợi ý")],
    )
    sent = api.sent(LAN)
    assert [c.text for c in sent] == ["Đã lưu 1.1: đạt.\n\nChỉ tiêu 2/13", "Gợi ý"]
    assert sent[0].buttons == ["v:y", "v:n", "nav:skip", "nav:back"]
    assert sent[1].markup is None


async def test_merged_messages_stay_within_telegram_limit(
    api: FakeBotApi, sender: TelegramSender
) -> None:
    parts = [Outbound(letter * 2000) for letter in "abc"]
    await sender.send(str(LAN), str(LAN), parts)
    assert [len(c.text) for c in api.sent(LAN)] == [4002, 2000]
    assert statuses(api) == [200, 200]


async def test_flood_limit_waits_retry_after_then_sends(
    api: FakeBotApi, sender: TelegramSender
) -> None:
    api.fail("sendMessage", 429, retry_after=1)
    started = time.monotonic()
    await sender.send(str(LAN), str(LAN), [Outbound("Đã lưu 1.1: đạt.")])
    assert statuses(api) == [429, 200]
    first, second = api.calls_of("sendMessage")
    assert second.at - first.at >= 0.9, "retry_after was not honoured"
    assert time.monotonic() - started < 5
    assert api.sent(LAN)[0].text == "Đã lưu 1.1: đạt."


@pytest.mark.parametrize("status", [500, 502])
async def test_server_error_is_retried(
    api: FakeBotApi, sender: TelegramSender, status: int
) -> None:
    api.fail("sendMessage", status, times=2)
    await sender.send(str(LAN), str(LAN), [Outbound("Đã lưu 1.1: đạt.")])
    assert statuses(api) == [status, status, 200]
    assert [c.text for c in api.sent(LAN)] == ["Đã lưu 1.1: đạt."]


async def test_slow_answer_is_waited_for(api: FakeBotApi, sender: TelegramSender) -> None:
    api.slow("sendMessage", 0.5)
    await sender.send(str(LAN), str(LAN), [Outbound("Chậm nhưng tới.")])
    assert statuses(api) == [200]


async def test_blocked_user_is_reported_and_the_rest_is_not_sent(
    api: FakeBotApi, sender: TelegramSender, blocked: Blocked
) -> None:
    api.block(LAN)
    await sender.send(str(LAN), str(LAN), [Outbound("Một", YES_NO), Outbound("Hai")])
    assert blocked.users == [str(LAN)]
    assert statuses(api) == [403], "one 403 is enough: no retry, no further replies"
    await sender.send(str(MINH), str(MINH), [Outbound("Chào Minh")])
    assert [c.text for c in api.sent(MINH)] == ["Chào Minh"]


async def test_refusal_in_a_group_does_not_mark_the_member(
    api: FakeBotApi, sender: TelegramSender, blocked: Blocked
) -> None:
    group = -4_012_345_678
    api.block(group, "Forbidden: bot was kicked from the group chat")
    await sender.send(str(group), str(LAN), [Outbound("Hướng dẫn")])
    assert statuses(api) == [403]
    assert blocked.users == []


async def test_blocked_while_retiring_a_keyboard(
    api: FakeBotApi, sender: TelegramSender, blocked: Blocked
) -> None:
    await sender.send(str(LAN), str(LAN), [Outbound("Chỉ tiêu 1/13", YES_NO)])
    api.block(LAN)
    typed = Inbound("telegram", str(LAN), str(LAN), "u1", text="đạt")
    async with sender.conversation(typed):
        await sender.retire_keyboard(str(LAN))
    assert statuses(api, "editMessageReplyMarkup") == [403]
    assert blocked.users == [str(LAN)]


async def test_blocked_without_callback_does_not_raise(api: FakeBotApi, bot: Bot) -> None:
    api.block(LAN)
    await TelegramSender(bot, backoff_s=0.01).send(str(LAN), str(LAN), [Outbound("Một")])
    assert statuses(api) == [403]


async def test_reply_dropped_after_the_last_attempt(
    api: FakeBotApi, sender: TelegramSender, blocked: Blocked
) -> None:
    api.fail("sendMessage", 500, times=ATTEMPTS)
    await sender.send(str(LAN), str(LAN), [Outbound("Mất", YES_NO), Outbound("Tới")])
    assert statuses(api) == [500] * ATTEMPTS + [200]
    assert [c.text for c in api.sent(LAN)] == ["Tới"]
    assert blocked.users == []


async def test_new_question_retires_the_previous_keyboard(
    api: FakeBotApi, sender: TelegramSender
) -> None:
    await sender.send(str(LAN), str(LAN), [Outbound("Chỉ tiêu 1/13", YES_NO)])
    first = api.sent(LAN)[0]
    assert first.buttons == ["v:y", "v:n", "nav:skip", "nav:back"]
    assert first.markup is not None
    assert [len(row) for row in first.markup["inline_keyboard"]] == [1, 1, 2]

    since = api.mark()
    await sender.send(
        str(LAN), str(LAN), [Outbound("Đã lưu 1.1: đạt."), Outbound("Chỉ tiêu 2/13", YES_NO)]
    )
    calls = [c.method for c in api.calls_of(since=since)]
    assert calls == ["editMessageReplyMarkup", "sendMessage"]
    edit = api.calls_of("editMessageReplyMarkup")[0]
    assert edit.chat_id == LAN
    assert int(edit.params["message_id"]) == first.message_id
    assert "reply_markup" not in edit.params
    second = api.sent(LAN)[-1]
    assert api.live_keyboards(LAN) == {second.message_id: second.buttons}


async def test_keyboards_are_per_chat(api: FakeBotApi, sender: TelegramSender) -> None:
    await sender.send(str(LAN), str(LAN), [Outbound("Lan hỏi", YES_NO)])
    await sender.send(str(MINH), str(MINH), [Outbound("Minh hỏi", YES_NO)])
    assert api.calls_of("editMessageReplyMarkup") == []
    assert len(api.live_keyboards(LAN)) == 1
    assert len(api.live_keyboards(MINH)) == 1


async def test_retiring_a_pressed_keyboard(api: FakeBotApi, sender: TelegramSender) -> None:
    await sender.send(str(LAN), str(LAN), [Outbound("Chỉ tiêu 1/13", YES_NO)])
    pressed = api.sent(LAN)[0].message_id
    assert pressed is not None
    await sender.retire_keyboard(str(LAN), pressed)
    assert api.live_keyboards(LAN) == {}
    # The next question has nothing left to retire, and retiring twice is harmless (Telegram
    # answers 400 "message is not modified").
    await sender.retire_keyboard(str(LAN), pressed)
    assert statuses(api, "editMessageReplyMarkup") == [200, 400]
    since = api.mark()
    await sender.send(str(LAN), str(LAN), [Outbound("Chỉ tiêu 2/13", YES_NO)])
    assert [c.method for c in api.calls_of(since=since)] == ["sendMessage"]


async def test_typed_answer_retires_the_keyboard_once(
    api: FakeBotApi, sender: TelegramSender
) -> None:
    await sender.send(str(LAN), str(LAN), [Outbound("Chỉ tiêu 1/13", YES_NO)])
    await sender.retire_keyboard(str(LAN))
    await sender.retire_keyboard(str(LAN))
    assert statuses(api, "editMessageReplyMarkup") == [200]
    assert api.live_keyboards(LAN) == {}


async def test_retiring_a_vanished_message_is_harmless(
    api: FakeBotApi, sender: TelegramSender
) -> None:
    await sender.retire_keyboard(str(LAN), 987_654)
    assert statuses(api, "editMessageReplyMarkup") == [400]


async def test_document_reply(api: FakeBotApi, sender: TelegramSender) -> None:
    pdf = b"%PDF-1.4\n%%EOF\n"
    reply = Outbound(
        "Báo cáo tự đánh giá năm 2025 " + "x" * 2000,
        document=Attachment("bao-cao-2025.pdf", "application/pdf", pdf),
    )
    await sender.show_uploading(str(LAN))
    await sender.send(str(LAN), str(LAN), [reply])
    assert [c.method for c in api.calls_of()] == ["sendChatAction", "sendDocument"]
    action = api.calls_of("sendChatAction")[0]
    assert action.params["action"] == "upload_document"
    sent = api.calls_of("sendDocument")[0]
    assert sent.ok
    document = sent.params["document"]
    assert isinstance(document, Upload)
    assert document.filename == "bao-cao-2025.pdf"
    assert document.data == pdf
    assert len(sent.params["caption"]) == 1024


# --- pushes (the Notifier port) ------------------------------------------------------------------


def test_the_sender_is_a_notifier(sender: TelegramSender) -> None:
    notifier: Notifier = sender  # checked by mypy: the port's shape
    assert notifier is sender


async def test_push_sends_and_tracks_the_keyboard(api: FakeBotApi, sender: TelegramSender) -> None:
    delivery = await sender.push(
        str(LAN), [Outbound("Nhắc: còn 3 chỉ tiêu"), Outbound("Tiếp?", YES_NO)]
    )
    assert delivery == Delivery("sent")
    sent = api.sent(LAN)
    assert [c.text for c in sent] == ["Nhắc: còn 3 chỉ tiêu\n\nTiếp?"]
    assert sent[0].message_id is not None
    assert api.live_keyboards(LAN) == {sent[0].message_id: sent[0].buttons}
    await sender.send(str(LAN), str(LAN), [Outbound("Chỉ tiêu 1/13", YES_NO)])
    assert sent[0].message_id not in api.live_keyboards(LAN), "the pushed question retires"


async def test_push_to_a_user_who_blocked_the_bot(
    api: FakeBotApi, sender: TelegramSender, blocked: Blocked
) -> None:
    api.block(LAN)
    delivery = await sender.push(str(LAN), [Outbound("Một"), Outbound("Hai", YES_NO)])
    assert delivery == Delivery("blocked")
    assert blocked.users == [str(LAN)], "marked unreachable through the same callback"
    assert statuses(api) == [403]


async def test_push_refused_by_a_group_marks_nobody(
    api: FakeBotApi, sender: TelegramSender, blocked: Blocked
) -> None:
    group = -4_012_345_678
    api.block(group, "Forbidden: bot was kicked from the group chat")
    assert await sender.push(str(group), [Outbound("Nhắc cả tổ")]) == Delivery("blocked")
    assert blocked.users == []


async def test_push_returns_the_flood_limit_instead_of_waiting(
    api: FakeBotApi, sender: TelegramSender
) -> None:
    api.fail("sendMessage", 429, retry_after=30)
    started = time.monotonic()
    delivery = await sender.push(str(LAN), [Outbound("Nhắc")])
    assert delivery == Delivery("retry_after", 30.0)
    assert time.monotonic() - started < 10, "the push waited out the flood limit"
    assert statuses(api) == [429], "no retry: the caller reschedules"
    assert await sender.push(str(LAN), [Outbound("Nhắc")]) == Delivery("sent")


async def test_push_fails_after_the_usual_attempts(
    api: FakeBotApi, sender: TelegramSender, blocked: Blocked
) -> None:
    api.fail("sendMessage", 500, times=ATTEMPTS)
    assert await sender.push(str(LAN), [Outbound("Mất")]) == Delivery("failed")
    assert statuses(api) == [500] * ATTEMPTS
    assert blocked.users == []


async def test_push_refused_by_the_bot_api_fails(api: FakeBotApi, sender: TelegramSender) -> None:
    assert await sender.push(str(LAN), [Outbound("   ")]) == Delivery("failed")  # empty text
    assert statuses(api) == [400]


async def test_blocked_push_marks_the_person_unreachable_in_the_database(
    api: FakeBotApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The wiring's callback, end to end: the person's Telegram identity goes inactive."""
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("DVHT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TELEGRAM_API_URL", api.url)
    app, channel = await build_telegram(Settings(), TOKEN)
    try:
        await app.service.handle(
            Inbound("telegram", str(LAN), str(LAN), "u1", text="/start", display_name="Lan")
        )
        api.block(LAN)
        assert await channel.sender.push(str(LAN), [Outbound("Nhắc")]) == Delivery("blocked")
    finally:
        await app.close()
        await channel.close()
    with contextlib.closing(sqlite3.connect(tmp_path / "dvht.sqlite3")) as db:
        rows = db.execute(
            "SELECT active FROM channel_identities WHERE channel = 'telegram' AND external_id = ?",
            (str(LAN),),
        ).fetchall()
    assert rows == [(0,)]


# --- downloading evidence ----------------------------------------------------------------------


async def test_the_uploading_hint_never_fails_the_report(
    api: FakeBotApi, sender: TelegramSender
) -> None:
    api.block(LAN)
    await sender.show_uploading(str(LAN))  # 403: nothing raised, the report goes on
    assert statuses(api, "sendChatAction") == [403]


def info(file_id: str, size: int | None, name: str | None = "minh-chung.pdf") -> FileInfo:
    return FileInfo(file_id=file_id, kind="document", file_name=name, size=size)


async def test_fetch_downloads_the_file(api: FakeBotApi, bot: Bot) -> None:
    data = b"%PDF-1.4\n" + bytes(range(256)) * 40
    api.register_file("BQACpdf", data, file_path="documents/file_7.pdf")
    assert await TelegramFiles(bot).fetch(info("BQACpdf", len(data))) == data
    assert [c.params["file_id"] for c in api.calls_of("getFile")] == ["BQACpdf"]
    assert api.downloads == ["documents/file_7.pdf"]


async def test_fetch_refuses_big_files_without_asking(api: FakeBotApi, bot: Bot) -> None:
    with pytest.raises(EvidenceRefused) as refused:
        await TelegramFiles(bot).fetch(info("BQACbig", 25 * 1024 * 1024))
    assert refused.value.reason == TOO_BIG
    assert "20 MB" in refused.value.reason
    assert api.calls_of("getFile") == []


async def test_fetch_refuses_when_telegram_reports_a_big_file(api: FakeBotApi, bot: Bot) -> None:
    files = TelegramFiles(bot, limit=10)
    api.register_file("BQACmid", b"%PDF-1.4\n" + bytes(100))
    with pytest.raises(EvidenceRefused):
        await files.fetch(info("BQACmid", None))  # size unknown in the update
    assert [c.params["file_id"] for c in api.calls_of("getFile")] == ["BQACmid"]
    assert api.downloads == []


# --- the fake server itself ----------------------------------------------------------------------


async def test_fake_accepts_json_urlencoded_and_query(api: FakeBotApi) -> None:
    base = f"{api.url}/bot{TOKEN}"
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{base}/sendMessage", json={"chat_id": LAN, "text": "json"}) as r:
            assert (await r.json())["result"]["text"] == "json"
        form = {"chat_id": str(LAN), "text": "form", "reply_markup": '{"inline_keyboard": []}'}
        async with http.post(f"{base}/SENDMESSAGE", data=form) as r:
            assert r.status == 200
        async with http.get(f"{base}/getMe") as r:
            assert (await r.json())["result"]["username"] == "dvht_bot"
        async with http.get(f"{api.url}/botWRONG/getMe") as r:
            assert r.status == 401
    assert [c.text for c in api.sent(LAN)] == ["json", "form"]
    assert api.calls_of("sendMessage")[1].params["reply_markup"] == {"inline_keyboard": []}


async def test_fake_long_poll_honours_offset_and_timeout(api: FakeBotApi, bot: Bot) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == []
    assert time.monotonic() - started >= 0.9

    first = api.text_update(LAN, "một")
    api.enqueue(first)
    got = await bot.get_updates(timeout=5)
    assert [u.update_id for u in got] == [first["update_id"]]
    assert got[0].message is not None
    assert got[0].message.text == "một"

    second = api.text_update(LAN, "hai")
    poll = asyncio.create_task(bot.get_updates(offset=first["update_id"] + 1, timeout=10))
    await asyncio.sleep(0.2)
    assert not poll.done(), "the long poll waits for an update"
    started = time.monotonic()
    api.enqueue(second)
    got = await poll
    assert time.monotonic() - started < 2
    assert [u.update_id for u in got] == [second["update_id"]], "confirmed updates are gone"


async def test_fetch_refuses_a_big_file_whose_size_the_update_left_out(
    api: FakeBotApi, bot: Bot
) -> None:
    """The Bot API answers getFile for a file over 20 MB with 400 "file is too big"; the user
    must get the 20 MB explanation, not an internal error."""
    api.register_file("BQACbig", b"%PDF-1.4\n", size=30 * 1024 * 1024)
    with pytest.raises(EvidenceRefused) as refused:
        await TelegramFiles(bot).fetch(info("BQACbig", None))
    assert refused.value.reason == TOO_BIG
    assert [c.status for c in api.calls_of("getFile")] == [400]
