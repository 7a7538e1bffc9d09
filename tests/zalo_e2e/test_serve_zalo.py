"""The real `dvht serve` process with Zalo, driven over real HTTP by the fake Zalo Bot API
(`tests/zalo/fake_zalo_api.py`: one event per getUpdates call, each event delivered again
until it ages out, 408 idle polls, 400 for a text over 2,000 characters, webhook pushes with
the secret header) and, for two channels in one process, the fake Telegram Bot API.

Three processes serve the module, each started once: Zalo alone by long polling, Zalo alone
in webhook mode (its webhook a route of the process's own HTTP backend), and Telegram and Zalo
together (both polling). Each test talks as its own users, so tests share no conversation.
The last test stops all three with SIGTERM and reads everything they printed.

Tests wait for what they can observe (a sendMessage reaching a fake server, a row in the bot's
SQLite database, an HTTP answer), never for the bot's log wording.
"""

from __future__ import annotations

import asyncio
import io
import re
import time
import unicodedata
import urllib.request
from collections.abc import Iterator

import httpx
import pypdf
import pytest
from prometheus_client.parser import text_string_to_metric_families

from conversations import catalogue as say
from tests.telegram.fake_bot_api import TOKEN as TELEGRAM_TOKEN
from tests.telegram.fake_bot_api import FakeBotApi
from tests.zalo.fake_zalo_api import MAX_TEXT, TOKEN, FakeZaloApi
from tests.zalo_e2e.serve_process import STARTUP_S, ServeProcess
from tests.zalo_e2e.users import (
    QUESTION,
    REPLY_S,
    UNIT,
    WELCOME,
    XA_WALK,
    TelegramUser,
    ZaloUser,
    description_question,
    evidence_question,
    onboard,
    strengths_question,
    walk_with_evidence,
    walk_without_evidence,
)

SECRET = "zalo-hook-Secret-0123456789"
WRONG_SECRETS = ("zalo-hook-Secret-0123456780", SECRET.lower(), SECRET + "x")
REPLAYS = 3
"""How many times the fake hands out each event (no offset: the bot must answer it once)."""
LINK_LINE = re.compile(
    r"^Tải báo cáo \((PDF|Word|Excel)\): (http://\S+) — hết hạn \d\d/\d\d/\d{4}$"
)
LAN, MAI, HOA = "5f1e2d3c4b5a6978", "0a9b8c7d6e5f4031", "7c6b5a4f3e2d1c0b"
KHOA, NAM, BAO = "1b2c3d4e5f607182", "e1d2c3b4a5968778", "c0ffee0123456789"
QUANG, BINH, LINH = "a1b2c3d4e5f60718", "9a8b7c6d5e4f3a2b", "b7c8d9e0f1a2b3c4"
"""Zalo user ids (hex strings, as the service's)."""
TELEGRAM_MINH, TELEGRAM_THU, TELEGRAM_LINH = 5_000_001, 5_000_002, 5_000_003


def wait_for_call(api: FakeZaloApi, method: str, bot: ServeProcess) -> None:
    """Until the bot has made `method` (its start-up call) at the fake Zalo server."""
    deadline = time.monotonic() + STARTUP_S
    while not api.calls_of(method):
        bot.alive()
        assert time.monotonic() < deadline, f"no {method} within {STARTUP_S} s:\n{bot.tail()}"
        time.sleep(0.05)


# --- fixtures: the three processes ------------------------------------------------------------


@pytest.fixture(scope="module")
def api() -> Iterator[FakeZaloApi]:
    with FakeZaloApi(replays=REPLAYS) as fake:
        yield fake


@pytest.fixture(scope="module")
def polling_bot(
    api: FakeZaloApi, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServeProcess]:
    bot = ServeProcess(
        tmp_path_factory.mktemp("zalo-polling"), ZALO_BOT_TOKEN=TOKEN, ZALO_API_URL=api.url
    )
    bot.start()
    try:
        bot.wait_healthy()
        wait_for_call(api, "getWebhookInfo", bot)  # polling starts right after it
        yield bot
    finally:
        bot.stop()


@pytest.fixture(scope="module")
def hook_api() -> Iterator[FakeZaloApi]:
    with FakeZaloApi() as fake:
        yield fake


@pytest.fixture(scope="module")
def webhook_bot(
    hook_api: FakeZaloApi, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServeProcess]:
    bot = ServeProcess(
        tmp_path_factory.mktemp("zalo-webhook"),
        ZALO_BOT_TOKEN=TOKEN,
        ZALO_API_URL=hook_api.url,
        ZALO_WEBHOOK_SECRET=SECRET,
    )
    bot.extra_env["ZALO_WEBHOOK_URL"] = f"{bot.base_url}/zalo/webhook"
    bot.start()
    try:
        wait_for_call(hook_api, "setWebhook", bot)  # after the backend's port is open
        bot.wait_healthy()
        yield bot
    finally:
        bot.stop()


@pytest.fixture(scope="module")
def telegram_api() -> Iterator[FakeBotApi]:
    with FakeBotApi() as fake:
        yield fake


@pytest.fixture(scope="module")
def both_api() -> Iterator[FakeZaloApi]:
    with FakeZaloApi(replays=REPLAYS) as fake:
        yield fake


@pytest.fixture(scope="module")
def both_bot(
    telegram_api: FakeBotApi, both_api: FakeZaloApi, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServeProcess]:
    bot = ServeProcess(
        tmp_path_factory.mktemp("both"),
        TELEGRAM_BOT_TOKEN=TELEGRAM_TOKEN,
        TELEGRAM_API_URL=telegram_api.url,
        ZALO_BOT_TOKEN=TOKEN,
        ZALO_API_URL=both_api.url,
    )
    bot.start()
    try:
        bot.wait_healthy()
        wait_for_call(both_api, "getWebhookInfo", bot)
        telegram_api.wait_for_sync("deleteWebhook", timeout=STARTUP_S, alive=bot.alive)
        yield bot
    finally:
        bot.stop()


# --- checks shared by the tests -----------------------------------------------------------------


def check_limits(api: FakeZaloApi, chat_id: str) -> None:
    """Every message the bot sent this chat was accepted: none over 2,000 characters."""
    refused = [c for c in api.calls_of("sendMessage") if c.chat_id == chat_id and not c.ok]
    assert refused == [], refused
    for call in api.sent(chat_id):
        assert 1 <= len(call.text) <= MAX_TEXT, call


def words(text: str) -> list[str]:
    return unicodedata.normalize("NFC", text).split()


def pdf_text(data: bytes) -> str:
    pages = pypdf.PdfReader(io.BytesIO(data)).pages
    return " ".join(words(" ".join(page.extract_text() for page in pages)))


async def wait_replays_delivered(api: FakeZaloApi, since: int, events: int) -> None:
    """Until the fake has handed out each of `events` events REPLAYS times (it then drops
    them): every replay has reached the bot."""
    deadline = time.monotonic() + 60
    while len([c for c in api.calls_of("getUpdates", since=since) if c.ok]) < REPLAYS * events:
        assert time.monotonic() < deadline, "the bot stopped polling"
        await asyncio.sleep(0.05)


def forged(url: str) -> str:
    """The same link with one character of its token changed."""
    position = len(url) - 8
    swapped = "B" if url[position] != "B" else "C"
    return url[:position] + swapped + url[position + 1 :]


async def report_by_links(
    api: FakeZaloApi, bot: ServeProcess, user: ZaloUser, heading: str, unit: str = UNIT
) -> None:
    """/baocao: the PDF, DOCX and XLSX as signed links on the process's own backend, then a
    PNG of page 1 as a photo (its URL signed too). Each link downloads; the PDF's text names
    the unit and the conclusion the chat showed (`heading`, “KẾT QUẢ: …”); a link with one
    character changed, or cut short, is refused with 403 and shows nothing of the file."""
    since = api.mark()
    baocao = api.text_event(user.user_id, "/baocao", name=user.name)
    replies = await user.send(baocao, r"^Tải báo cáo \(Excel\)")
    photo = await api.wait_for(
        "sendPhoto", lambda c: c.chat_id == user.user_id, since=since, timeout=40
    )
    assert api.sent(user.user_id, method="sendChatAction", since=since), "typing while it renders"
    links = {
        found[1]: found[2]
        for call in replies
        for line in call.text.splitlines()
        if (found := LINK_LINE.match(line))
    }
    assert sorted(links) == ["Excel", "PDF", "Word"], [c.text for c in replies]
    signed = [*links.values(), photo.params["photo"]]
    assert all(url.startswith(bot.base_url + "/r/") for url in signed), signed
    async with httpx.AsyncClient(timeout=30) as http:
        pdf = await http.get(links["PDF"])
        assert pdf.status_code == 200
        assert pdf.headers["content-type"] == "application/pdf"
        assert "filename*=UTF-8''" in pdf.headers["content-disposition"]
        for kind in ("Word", "Excel"):
            office = await http.get(links[kind])
            assert office.status_code == 200
            assert office.content.startswith(b"PK\x03\x04"), kind
        preview = await http.get(photo.params["photo"])
        assert preview.status_code == 200
        assert preview.headers["content-type"] == "image/png"
        assert preview.content.startswith(b"\x89PNG\r\n\x1a\n")
        for bad in (forged(links["PDF"]), links["PDF"][:-12], forged(photo.params["photo"])):
            refused = await http.get(bad)
            assert refused.status_code == 403, bad
            assert b"%PDF" not in refused.content
            assert b"PNG" not in refused.content
            assert "content-disposition" not in refused.headers
    assert pdf.content.startswith(b"%PDF")
    text = pdf_text(pdf.content)
    assert unit in text, text[:500]
    # The conclusion's sentence (the table's headings name every level whatever the result).
    reached = re.fullmatch(r"KẾT QUẢ: ĐẠT MỨC ĐỘ ([12])", heading)
    if reached is not None:
        concluded = re.search(r"Đơn vị tự đánh giá đạt .{1,40}? mức độ ([12]) năm \d{4}", text)
        assert concluded is not None, text[-3000:]
        assert concluded[1] == reached[1], (heading, concluded[0])
    else:
        assert heading == "KẾT QUẢ: KHÔNG ĐẠT", heading
        assert re.search(r"Đơn vị tự đánh giá: chưa đạt .{1,40}? năm \d{4}", text), text[-3000:]
    check_limits(api, user.user_id)
    bot.healthy()


def updates_counted(bot: ServeProcess, channel: str = "zalo") -> dict[str, int]:
    """The process's `dvht_updates_total` for one channel, by outcome, from its /metrics."""
    with urllib.request.urlopen(f"{bot.base_url}/metrics", timeout=10) as answer:
        exposition = answer.read().decode()
    counted: dict[str, int] = {}
    for family in text_string_to_metric_families(exposition):
        for sample in family.samples:
            labels = sample.labels
            if (
                sample.name == "dvht_updates_total"
                and labels["channel"] == channel
                and sample.value
            ):
                counted[labels["outcome"]] = int(sample.value)
    return counted


# --- Zalo alone, long polling ---------------------------------------------------------------


def test_polling_start(api: FakeZaloApi, polling_bot: ServeProcess) -> None:
    methods = [c.method for c in api.calls_of() if c.method != "getUpdates"]
    assert methods[:2] == ["getMe", "getWebhookInfo"], methods
    assert api.calls_of("setWebhook") == []
    assert api.calls_of("deleteWebhook") == [], "no webhook was set: nothing to delete"
    assert all(str(c.params.get("timeout")) == "30" for c in api.calls_of("getUpdates"))


async def test_polling_mounts_no_webhook(api: FakeZaloApi, polling_bot: ServeProcess) -> None:
    """Without ZALO_WEBHOOK_URL and ZALO_WEBHOOK_SECRET there is no /zalo/webhook to push to,
    whatever header comes with it."""
    since = api.mark()
    event = api.text_event(BAO, "/start", name="Bảo")
    async with httpx.AsyncClient(timeout=30) as http:
        for headers in ({}, {"X-Bot-Api-Secret-Token": SECRET}):
            answer = await http.post(
                f"{polling_bot.base_url}/zalo/webhook",
                json={"ok": True, "result": event},
                headers=headers,
            )
            assert answer.status_code == 404, answer.text
    await asyncio.sleep(0.5)
    assert [c for c in api.calls_of(since=since) if c.method != "getUpdates"] == []
    assert polling_bot.rows("SELECT * FROM channel_identities WHERE external_id = ?", BAO) == []


async def test_complete_assessment_by_typed_replies_then_report_links(
    api: FakeZaloApi, polling_bot: ServeProcess
) -> None:
    since = api.mark()
    user = ZaloUser(api, polling_bot, LAN, "Lan")
    first = await onboard(user)
    walk = await walk_with_evidence(user, first)
    assert walk.asked == XA_WALK
    result = "\n".join(walk.result)
    assert say.WALK_FINISHED in result
    heading = next(line for line in result.splitlines() if line.startswith("KẾT QUẢ: "))
    assert re.fullmatch(r"KẾT QUẢ: ĐẠT MỨC ĐỘ [12]", heading), result

    # Each event came REPLAYS times (no offset) and was answered once.
    await wait_replays_delivered(api, since, len(user.events))
    await asyncio.sleep(0.5)  # a reply to a replay would have been sent by now
    texts = api.texts(LAN)
    assert len([t for t in texts if "Đã tạo đơn vị UBND xã Quảng Phú" in t]) == 1
    for indicator in XA_WALK:
        saved = [t for t in texts if f"Đã lưu {indicator}: " in t]
        assert len(saved) == 1, (indicator, saved)
    assert len([t for t in texts if t.startswith("KẾT QUẢ") or "\nKẾT QUẢ" in t]) == 1
    ids = {str(e["message"]["message_id"]) for e in user.events}
    claimed = polling_bot.rows("SELECT update_id FROM processed_updates WHERE channel = 'zalo'")
    assert ids <= {row[0] for row in claimed}, "every event went through the service once"
    check_limits(api, LAN)
    polling_bot.healthy()

    # Each event counted once as answered, its replays as duplicates (/metrics).
    assert updates_counted(polling_bot) == {
        "answered": len(user.events),
        "duplicate": (REPLAYS - 1) * len(user.events),
    }

    await report_by_links(api, polling_bot, user, heading)


async def test_quota_and_server_errors_are_waited_out(
    api: FakeZaloApi, polling_bot: ServeProcess
) -> None:
    """A 429 “Quota exceeded” and then a 502 on the reply: the process tries again after a
    pause and the user gets the one reply."""
    user = ZaloUser(api, polling_bot, BINH, "Bình")
    api.fail("sendMessage", 429)
    api.fail("sendMessage", 502)
    since = api.mark()
    await user.say("/start", re.escape(WELCOME))
    attempts = [c for c in api.calls_of("sendMessage", since=since) if c.chat_id == BINH]
    assert [c.status for c in attempts] == [429, 502, 200]
    assert attempts[1].at - attempts[0].at >= 0.2, "a pause before trying again"
    polling_bot.healthy()


# --- Zalo alone, webhook mode -------------------------------------------------------------------


async def test_webhook_registered_at_start_and_answers(
    hook_api: FakeZaloApi, webhook_bot: ServeProcess
) -> None:
    registered = hook_api.calls_of("setWebhook")
    assert len(registered) == 1
    assert registered[0].params["url"] == f"{webhook_bot.base_url}/zalo/webhook"
    assert registered[0].params["secret_token"] == SECRET
    assert hook_api.webhook_secret == SECRET

    user = ZaloUser(hook_api, webhook_bot, MAI, "Mai", webhook=True)
    await user.say("/start", re.escape(WELCOME))
    await user.say("1", re.escape(say.ASK_NAME))
    await user.say("UBND phường Tây Hồ", re.escape(say.ASK_PROVINCE))
    await user.say("Hà Nội", re.escape(say.ASK_TYPE))
    # The service retries a push: answered once (the reply to the next message comes next).
    since = hook_api.mark()
    assert (await hook_api.push(user.events[-1]))[0] == 200
    await user.say("1", re.escape(say.ASK_MEMBERS))
    assert hook_api.texts(MAI, since=since) == [hook_api.texts(MAI)[-1]]
    assert hook_api.calls_of("getUpdates") == [], "webhook mode never polls"
    check_limits(hook_api, MAI)
    webhook_bot.healthy()


async def test_webhook_wrong_or_missing_secret_is_refused_and_nothing_processed(
    hook_api: FakeZaloApi, webhook_bot: ServeProcess
) -> None:
    since = hook_api.mark()
    event = hook_api.text_event(HOA, "/start", name="Hoa")
    message_id = str(event["message"]["message_id"])
    for secret in (*WRONG_SECRETS, "", None):
        status, _ = await hook_api.push(event, secret=secret)
        assert status == 401, secret
    await asyncio.sleep(1.0)  # what a processed event would have sent by now
    assert hook_api.calls_of(since=since) == [], "no reply, no typing, nothing"
    for sql, key in (
        ("SELECT * FROM processed_updates WHERE update_id = ?", message_id),
        ("SELECT * FROM channel_identities WHERE external_id = ?", HOA),
        ("SELECT * FROM conversation_states WHERE user_id = ?", HOA),
    ):
        assert webhook_bot.rows(sql, key) == [], sql

    # The very same event with the right secret is handled: the refusals left no trace.
    user = ZaloUser(hook_api, webhook_bot, HOA, "Hoa", webhook=True)
    await user.send(event, re.escape(WELCOME))
    await webhook_bot.wait_rows(
        "SELECT channel FROM channel_identities WHERE external_id = ?", HOA, expected=[("zalo",)]
    )
    webhook_bot.healthy()


async def test_webhook_complete_assessment_then_report_links(
    hook_api: FakeZaloApi, webhook_bot: ServeProcess
) -> None:
    """The whole walk pushed to the webhook, no evidence yet: the result is “không đạt”, and
    the report's PDF says so. The unit's name is typed decomposed (NFD, as some keyboards
    send it): stored and shown composed."""
    before = updates_counted(webhook_bot)
    user = ZaloUser(hook_api, webhook_bot, QUANG, "Quang", webhook=True)
    typed = unicodedata.normalize("NFD", "UBND xã Tân Lập")
    assert typed != "UBND xã Tân Lập"
    walk = await walk_without_evidence(user, await onboard(user, typed))
    assert any("Đã tạo đơn vị UBND xã Tân Lập;" in t for t in hook_api.texts(QUANG))
    names = webhook_bot.rows("SELECT name FROM units WHERE name LIKE 'UBND x% T%'")
    assert names == [("UBND xã Tân Lập",)], names
    assert walk.asked == XA_WALK
    result = "\n".join(walk.result)
    heading = next(line for line in result.splitlines() if line.startswith("KẾT QUẢ: "))
    assert heading == "KẾT QUẢ: KHÔNG ĐẠT", result
    after = updates_counted(webhook_bot)
    assert after["answered"] - before.get("answered", 0) == len(user.events)
    assert after.get("duplicate", 0) == before.get("duplicate", 0)
    assert "failed" not in after
    await report_by_links(hook_api, webhook_bot, user, heading, "UBND xã Tân Lập")
    assert hook_api.calls_of("getUpdates") == []


# --- Telegram and Zalo in one process ---------------------------------------------------------


async def test_both_channels_answer_their_own_users(
    telegram_api: FakeBotApi, both_api: FakeZaloApi, both_bot: ServeProcess
) -> None:
    telegram = TelegramUser(telegram_api, both_bot, TELEGRAM_MINH, "Minh")
    zalo = ZaloUser(both_api, both_bot, KHOA, "Khoa")
    telegram_since, zalo_since = telegram_api.mark(), both_api.mark()
    telegram_api.enqueue(telegram_api.text_update(TELEGRAM_MINH, "/start", first_name="Minh"))
    both_api.enqueue(both_api.text_event(KHOA, "/start", name="Khoa"))
    welcome = (await telegram.wait(telegram_since, re.escape(WELCOME)))[-1]
    greeted = (await zalo.wait(zalo_since, re.escape(WELCOME)))[-1]
    assert welcome.text.startswith("Chào Minh!")
    assert welcome.buttons == ["ob:new", "ob:code"], "Telegram shows buttons"
    assert greeted.text.startswith("Chào Khoa!")
    assert "\n1. Tạo đơn vị mới\n2. Tôi có mã mời\n" in greeted.text, "Zalo, a numbered list"

    # Each goes on in its own channel, interleaved.
    await zalo.say("1", re.escape(say.ASK_NAME))
    await telegram.say("1", re.escape(say.ASK_NAME))
    await zalo.say("UBND xã Hòa Bình", re.escape(say.ASK_PROVINCE))
    await telegram.say("Trường tiểu học Kim Đồng", re.escape(say.ASK_PROVINCE))
    assert all(c.chat_id == TELEGRAM_MINH for c in telegram_api.calls_of("sendMessage"))
    assert all(c.chat_id == KHOA for c in both_api.calls_of("sendMessage"))
    rows = both_bot.rows("SELECT channel, external_id, person_id FROM channel_identities")
    assert sorted((channel, external) for channel, external, _ in rows) == [
        ("telegram", str(TELEGRAM_MINH)),
        ("zalo", KHOA),
    ]
    assert len({person for _, _, person in rows}) == 2, "two people, not linked"
    check_limits(both_api, KHOA)
    both_bot.healthy()


async def test_a_long_reply_arrives_split_in_order(
    telegram_api: FakeBotApi, both_api: FakeZaloApi, both_bot: ServeProcess
) -> None:
    """The result of a walk with no evidence yet lists every indicator as unmet and what it
    needs: the same text a Telegram user with the same answers sees, in parts of at most
    2,000 characters whose words, in order, are the whole (and then Zalo's numbered option).

    On this path the conversation's own `fit()` cuts the text at 2,000 characters and the Zalo
    sender keeps those parts apart; the client's `split_message` is the net under a part that
    its numbered options push over the limit (tests/zalo/test_client.py sends 5,000
    characters through it)."""
    zalo = ZaloUser(both_api, both_bot, NAM, "Nam")
    telegram = TelegramUser(telegram_api, both_bot, TELEGRAM_THU, "Thu")
    for user in (zalo, telegram):
        walk = await walk_without_evidence(user, await onboard(user, "UBND xã Phú Mỹ"))
        assert walk.asked == XA_WALK

    since = both_api.mark()
    parts = await zalo.send(both_api.text_event(NAM, "/ketqua", name="Nam"), "^1\\. Báo cáo$")
    telegram_since = telegram_api.mark()
    telegram_api.enqueue(telegram_api.text_update(TELEGRAM_THU, "/ketqua", first_name="Thu"))
    last = await telegram_api.wait_for(  # the last part carries the buttons
        "sendMessage",
        lambda c: c.ok and c.chat_id == TELEGRAM_THU and c.buttons,
        since=telegram_since,
        timeout=40,
    )
    whole = [
        c for c in telegram.api.sent(TELEGRAM_THU, since=telegram_since) if c.index <= last.index
    ]
    telegram_words = words("\n".join(c.text for c in whole))
    assert len(" ".join(telegram_words)) > 3 * MAX_TEXT // 2, "a long reply"

    assert [c.index for c in parts] == sorted(c.index for c in parts)
    assert len(parts) >= 2, [len(c.text) for c in parts]
    assert all(1 <= len(c.text) <= MAX_TEXT for c in parts), [len(c.text) for c in parts]
    assert parts[0].text.startswith("KẾT QUẢ: KHÔNG ĐẠT")
    zalo_words = words("\n".join(c.text for c in parts))
    footer = words("1. Báo cáo\n" + say.how_to_answer(True, []))
    assert zalo_words == telegram_words + footer
    assert both_api.calls_of("sendMessage", since=since) == list(parts), "nothing else sent"
    check_limits(both_api, NAM)
    both_bot.healthy()


# --- one person on both channels (/lienket) ----------------------------------------------------


async def telegram_result(telegram: TelegramUser) -> str:
    """The Telegram user's /ketqua, every part of it (the last one carries the buttons)."""
    api = telegram.api
    since = api.mark()
    api.enqueue(api.text_update(telegram.user_id, "/ketqua", first_name=telegram.name))
    last = await api.wait_for(
        "sendMessage",
        lambda c: c.ok and c.chat_id == telegram.user_id and c.buttons,
        since=since,
        timeout=REPLY_S,
    )
    return "\n".join(
        c.text for c in api.sent(telegram.user_id, since=since) if c.index <= last.index
    )


def asked(question: str) -> tuple[str, str]:
    """The indicator a question asks about, and its place in the walk (“1.2”, “2”)."""
    head = QUESTION.search(question)
    assert head is not None, question
    return head[1], head[2]


def unmet_line(result: str, indicator: str) -> str:
    """The result's line on an unmet indicator (“• 1.2: Không đạt: …”)."""
    return next(line for line in result.splitlines() if line.startswith(f"• {indicator}: "))


async def test_lienket_one_assessment_on_both_channels(
    telegram_api: FakeBotApi, both_api: FakeZaloApi, both_bot: ServeProcess
) -> None:
    """/lienket on Telegram shows a code; “/lienket CODE” typed on Zalo links the accounts: the
    Zalo user goes on with the same assessment where the Telegram user stopped, and what they
    answer on Zalo is in the Telegram user's /ketqua."""
    telegram = TelegramUser(telegram_api, both_bot, TELEGRAM_LINH, "Linh")
    question = await onboard(telegram, "UBND xã Hải Dương")
    assert asked(question) == ("1.1", "1")
    await telegram.say("đạt", evidence_question("1.1"))
    await telegram.say("Kế hoạch số 12/KH-UBND", "Minh chứng 1: Kế hoạch số 12")
    await telegram.say("xong", description_question("1.1"))
    await telegram.say("bỏ qua", strengths_question("1.1"))
    replies = await telegram.say("không", QUESTION.pattern)
    assert asked(replies[-1]) == ("1.2", "2")  # where Linh stops on Telegram
    before = unmet_line(await telegram_result(telegram), "1.2")
    assert before == "• 1.2: Không đạt: chưa trả lời.", before

    shown = await telegram.say("/lienket", r"^Mã liên kết của bạn: \d{3} \d{3} ")
    found = re.search(r"Mã liên kết của bạn: (\d{3}) (\d{3})", shown[-1])
    assert found is not None, shown
    code = found[1] + found[2]

    zalo = ZaloUser(both_api, both_bot, LINH, "Linh Zalo")
    texts = await zalo.say(f"/lienket {code}", r"^Đã liên kết: ")
    assert say.linked("Linh", "telegram", "UBND xã Hải Dương", left_behind=False) in texts[-1]
    accounts = both_bot.rows(
        "SELECT channel, person_id FROM channel_identities WHERE external_id IN (?, ?) "
        "ORDER BY channel",
        str(TELEGRAM_LINH),
        LINH,
    )
    assert [channel for channel, _ in accounts] == ["telegram", "zalo"], accounts
    assert accounts[0][1] == accounts[1][1], "one person on both channels"
    texts = await zalo.say("/danhgia", QUESTION.pattern)
    assert asked(texts[-1]) == ("1.2", "2"), texts[-1]  # the question Linh stopped at
    await zalo.say("đạt", evidence_question("1.2"))
    after = unmet_line(await telegram_result(telegram), "1.2")  # answered on Zalo
    assert after.startswith("• 1.2: Không đạt: đơn vị đáp ứng yêu cầu"), after
    assert "nhưng chưa có minh chứng" in after, after  # its evidence not given yet
    edit = await telegram.say("sửa 1.2", QUESTION.pattern)  # and who gave the answer
    assert "Đã trả lời: " in edit[-1], edit[-1]
    assert "— Linh, " in edit[-1], edit[-1]
    check_limits(both_api, LINH)
    both_bot.healthy()


# --- a reset Zalo token (after the other tests of the two-channel process) -----------------------


async def test_a_reset_zalo_token_is_reported_once_and_telegram_goes_on(
    telegram_api: FakeBotApi, both_api: FakeZaloApi, both_bot: ServeProcess
) -> None:
    """The owner resets the token in the Zalo Bot Creator: every Zalo call answers 401. The
    process says so once, stops polling Zalo, and goes on serving Telegram (and its backend)."""
    both_api.reset_token()
    both_api.enqueue(both_api.text_event(KHOA, "/huongdan", name="Khoa"))
    deadline = time.monotonic() + 60
    while True:  # polling stops: no getUpdates for a while after the 401
        polls = both_api.calls_of("getUpdates")
        refused = [c for c in polls if c.status == 401]
        if refused and time.monotonic() - polls[-1].at > 3:
            break
        assert time.monotonic() < deadline, polls[-5:]
        await asyncio.sleep(0.2)
    assert polls[-1].status == 401, "no poll after the refusal"
    telegram = TelegramUser(telegram_api, both_bot, TELEGRAM_MINH, "Minh")
    await telegram.say("/huongdan", re.escape(say.HELP.split("\n", 1)[0]))
    both_bot.wait_healthy(timeout=30)
    reported = [line for line in both_bot.output().splitlines() if "ZALO_BOT_TOKEN" in line]
    assert len(reported) == 1, reported
    assert "401" in reported[0]
    both_bot.healthy()


# --- after everything: SIGTERM and the logs ---------------------------------------------------


def test_sigterm_exits_0_and_no_token_or_secret_is_logged(
    polling_bot: ServeProcess, webhook_bot: ServeProcess, both_bot: ServeProcess
) -> None:
    bots = {"polling": polling_bot, "webhook": webhook_bot, "both": both_bot}
    for bot in bots.values():
        bot.healthy()
        bot.stop()
    hidden = {
        "the Zalo token": TOKEN.partition(":")[2],
        "the Telegram token": TELEGRAM_TOKEN.partition(":")[2],
        "the Zalo webhook secret": SECRET,
        **{f"a wrong secret pushed ({n})": wrong for n, wrong in enumerate(WRONG_SECRETS)},
    }
    for mode, bot in bots.items():
        assert not bot.killed, f"the {mode} bot ignored SIGTERM for 20 s"
        assert bot.returncode == 0, f"the {mode} bot exited with {bot.returncode}"
        output = bot.output()
        key = (bot.data_dir / "secret_key").read_text().strip()
        assert len(key) >= 32
        for what, secret in {**hidden, "the generated secret key": key}.items():
            leaks = [line for line in output.splitlines() if secret in line]
            assert not leaks, f"{what} reached the {mode} bot's output:\n" + "\n".join(leaks[:5])
        assert "/r/" not in output, "a report link (a key to a report) was logged"
    assert "Zalo: long polling" in polling_bot.output()
    assert "Zalo: webhook registered" in webhook_bot.output()
