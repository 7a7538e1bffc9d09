"""The real bot (`dvht serve` in a subprocess) driven over HTTP by the fake Bot API server.

One long-polling bot serves the whole module (aiogram takes seconds to import); each test talks
as its own Telegram user, so tests do not share a conversation. A second bot runs in webhook
mode for the webhook tests. The last test stops both and reads everything they logged.

Tests wait for what they can observe: the Bot API calls an update causes at the fake server (its
reply, the answered callback, the retired buttons) or a row in the bot's database; never for
the bot's log wording. The bot handles one user's updates in order, one at a time (aiogram's
event isolation), so once a later update of the same chat is answered, every earlier one has
been handled completely.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfWriter

from conversations import catalogue as say
from dvht_core import vietnam_time
from tests import evidence_samples
from tests.telegram.fake_bot_api import (
    MAX_CALLBACK_BYTES,
    MAX_TEXT,
    TOKEN,
    Call,
    FakeBotApi,
    Upload,
)

DVHT = Path(sys.executable).parent / "dvht"
STARTUP_S = 60.0
"""aiogram alone takes 3–6 s to import; a loaded CI machine can take much longer."""
WEBHOOK_URL = "https://example.test/telegram/webhook"
SECRET = "s3cret_ABC"
COMMANDS = [
    "start",
    "danhgia",
    "ketqua",
    "baocao",
    "sua",
    "donvi",
    "hoi",
    "huongdan",
    "huy",
    "tatnhacnho",
    "batnhacnho",
    "lienket",
    "nop",
    "hoso",
    "dangnhap",
    "danhsach",
]
VALUE_HEAD = re.compile(r"^(\d+\.\d+) · Tiêu chí \d+ · (\d+)/(\d+) — ", re.M)
XA_WALK = [
    "1.1",
    "1.2",
    "1.3",
    "1.4",
    "1.5",
    "2.1",
    "2.2",
    "2.3",
    "2.4",
    "2.5",
    "3.1",
    "3.2",
    "3.3",
]
"""The 13 indicators of a UBND xã, in the order the bot asks them."""
WELCOME = "Bạn muốn tạo đơn vị mới hay tham gia đơn vị bằng mã mời?"
# A whole 1×1 JPEG (the evidence store opens photos by their structure); what a test puts
# after it is data after the end of image, as in a phone's motion photo.
JPEG_HEAD = evidence_samples.jpeg()


# --- the bot process ---------------------------------------------------------------------------


class BotProcess:
    """`dvht serve` with its output captured to files."""

    def __init__(self, api: FakeBotApi, data_dir: Path, **env: str) -> None:
        self.api = api
        self.data_dir = data_dir
        self.extra_env = env
        self.stdout_path = data_dir / "stdout.log"
        self.stderr_path = data_dir / "stderr.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.returncode: int | None = None
        self.killed = False
        self.port = 0
        """The webhook server's port (webhook mode)."""
        self._files = contextlib.ExitStack()

    @property
    def database(self) -> Path:
        return self.data_dir / "dvht.sqlite3"

    def start(self) -> None:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("TELEGRAM_", "DVHT_")) and key != "DATABASE_URL"
        }
        env.update(
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_URL=self.api.url,
            DVHT_DATA_DIR=str(self.data_dir),
            **self.extra_env,
        )
        stdout = self._files.enter_context(self.stdout_path.open("wb"))
        stderr = self._files.enter_context(self.stderr_path.open("wb"))
        self.process = subprocess.Popen(
            [str(DVHT), "serve"],
            env=env,
            cwd=self.data_dir,  # no stray .env from the repository
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
        )

    def output(self) -> str:
        parts = []
        for path in (self.stdout_path, self.stderr_path):
            if path.exists():
                parts.append(path.read_text(encoding="utf-8", errors="replace"))
        return "\n".join(parts)

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.output().splitlines()[-lines:])

    def healthy(self) -> None:
        """The bot still runs and no handler has raised (a traceback in its output)."""
        self.alive()
        output = self.output()
        if "Traceback (most recent call last)" in output:
            start = output.index("Traceback (most recent call last)")
            raise AssertionError(f"the bot logged a traceback:\n{output[start : start + 3000]}")

    def alive(self) -> None:
        assert self.process is not None
        if self.process.poll() is not None:
            raise AssertionError(f"the bot exited with {self.process.returncode}:\n{self.tail()}")

    def stop(self) -> int | None:
        """SIGTERM, then SIGKILL if it does not stop in time; the exit status."""
        process = self.process
        if process is None or self.returncode is not None:
            return self.returncode
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.killed = True
                process.kill()
                process.wait(timeout=15)
        self.returncode = process.returncode
        self._files.close()
        return self.returncode


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def db_rows(database: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
        return db.execute(sql, params).fetchall()


async def wait_rows(
    database: Path, sql: str, *params: Any, expected: list[tuple[Any, ...]], timeout: float = 15
) -> None:
    """Until the query answers `expected` (a write the bot makes after a reply it sent)."""
    deadline = time.monotonic() + timeout
    while (rows := db_rows(database, sql, *params)) != expected:
        assert time.monotonic() < deadline, f"{sql} {params}: {rows}, expected {expected}"
        await asyncio.sleep(0.05)


def small_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": "Kế hoạch học tập năm 2025"})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


# --- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def api() -> Iterator[FakeBotApi]:
    with FakeBotApi() as fake:
        yield fake


@pytest.fixture(scope="module")
def polling_bot(api: FakeBotApi, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotProcess]:
    bot = BotProcess(api, tmp_path_factory.mktemp("polling"))
    bot.start()
    try:
        api.wait_for_sync("getUpdates", timeout=STARTUP_S, alive=bot.alive)
        yield bot
    finally:
        bot.stop()


@pytest.fixture(scope="module")
def webhook_api() -> Iterator[FakeBotApi]:
    with FakeBotApi() as fake:
        yield fake


@pytest.fixture(scope="module")
def webhook_bot(
    webhook_api: FakeBotApi, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BotProcess]:
    port = free_port()
    bot = BotProcess(
        webhook_api,
        tmp_path_factory.mktemp("webhook"),
        TELEGRAM_WEBHOOK_URL=WEBHOOK_URL,
        TELEGRAM_WEBHOOK_SECRET=SECRET,
        DVHT_WEBHOOK_HOST="127.0.0.1",
        DVHT_WEBHOOK_PORT=str(port),
    )
    bot.port = port
    bot.start()
    try:
        webhook_api.wait_for_sync("setWebhook", timeout=STARTUP_S, alive=bot.alive)
        deadline = time.monotonic() + 15
        while True:  # setWebhook runs on startup, just before the port is bound
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                bot.alive()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield bot
    finally:
        bot.stop()


# --- a Telegram user ---------------------------------------------------------------------------


Until = str | Callable[[str], Any]


def _matcher(until: Until) -> Callable[[str], Any]:
    if isinstance(until, str):
        pattern = re.compile(until, re.M)
        return lambda text: pattern.search(text)
    return until


class Chat:
    """One user in a private chat with the bot: sends updates, waits for the replies."""

    def __init__(self, api: FakeBotApi, bot: BotProcess, user_id: int, name: str = "Lan") -> None:
        self.api = api
        self.bot = bot
        self.user_id = user_id
        self.name = name
        self.callbacks: list[str] = []

    async def wait(self, since: int, until: Until, timeout: float = 15) -> list[Call]:
        """The messages the bot sent here from `since` up to the first matching `until`."""
        match = _matcher(until)
        try:
            last = await self.api.wait_for(
                "sendMessage",
                lambda c: c.ok and c.chat_id == self.user_id and match(c.text),
                since=since,
                timeout=timeout,
            )
        except AssertionError as error:
            raise AssertionError(f"{error}\n--- bot output ---\n{self.bot.tail()}") from None
        return [c for c in self.api.sent(self.user_id, since=since) if c.index <= last.index]

    async def send(self, update: dict[str, Any], until: Until) -> list[Call]:
        since = self.api.mark()
        self.api.enqueue(update)
        return await self.wait(since, until)

    async def say(self, text: str, until: Until) -> list[Call]:
        return await self.send(
            self.api.text_update(self.user_id, text, first_name=self.name), until
        )

    async def press(self, data: str, until: Until) -> tuple[dict[str, Any], list[Call]]:
        """Tap a button on screen (the fake fails the test if it is not there)."""
        update = self.api.callback_update(self.user_id, data, first_name=self.name)
        self.callbacks.append(update["callback_query"]["id"])
        return update, await self.send(update, until)

    def sent(self, since: int = 0) -> list[Call]:
        return self.api.sent(self.user_id, since=since)


async def onboard(chat: Chat) -> Call:
    """Create a UBND xã through the buttons; returns the first indicator question."""
    await chat.say("/start", until=re.escape(WELCOME))
    await chat.press("ob:new", until=re.escape(say.ASK_NAME))
    await chat.say("UBND xã Quảng Phú", until=re.escape(say.ASK_PROVINCE))
    await chat.say("Thành phố Huế", until=re.escape(say.ASK_TYPE))
    await chat.press("ut:xa", until=re.escape(say.ASK_MEMBERS))
    replies = await chat.say("30", until=VALUE_HEAD.pattern)
    return replies[-1]


def evidence_question(indicator: str) -> str:
    return rf"^Minh chứng cho {re.escape(indicator)}:"


def description_question(indicator: str) -> str:
    return rf"^Mô tả ngắn hiện trạng của {re.escape(indicator)} "


def strengths_question(indicator: str) -> str:
    return rf"^Điểm mạnh và tồn tại của {re.escape(indicator)} "


def next_question_or_result(text: str) -> bool:
    return bool(VALUE_HEAD.search(text)) or "KẾT QUẢ" in text


def check_limits(calls: list[Call]) -> None:
    for call in calls:
        assert len(call.text) <= MAX_TEXT, call
        for data in call.buttons:
            assert len(data.encode()) <= MAX_CALLBACK_BYTES, call


# --- long polling ------------------------------------------------------------------------------


def test_polling_startup(api: FakeBotApi, polling_bot: BotProcess) -> None:
    first_poll = api.calls_of("getUpdates")[0]
    delete = api.calls_of("deleteWebhook")
    assert delete, "the bot must drop any webhook before polling"
    assert delete[0].index < first_poll.index
    assert delete[0].params.get("drop_pending_updates") in (None, False, "false")
    commands = api.calls_of("setMyCommands")
    assert commands
    assert commands[0].index < first_poll.index
    assert [c["command"] for c in api.commands] == COMMANDS
    for command in api.commands:
        description = command["description"]
        assert 3 <= len(description) <= 256
        assert any(ord(ch) > 127 for ch in description), f"not Vietnamese: {description}"
    assert str(first_poll.params.get("timeout")) == "30"
    assert all(c.ok for c in api.calls_of(since=0) if c.method != "getUpdates")


async def test_onboarding_and_full_assessment(api: FakeBotApi, polling_bot: BotProcess) -> None:
    chat = Chat(api, polling_bot, 2_000_001, "Lan")
    replies = await chat.say("/start", until=re.escape(WELCOME))
    welcome = replies[-1]
    assert welcome.text.startswith("Chào Lan!")
    assert welcome.markup is not None
    assert welcome.markup["inline_keyboard"] == [
        [{"text": say.BTN_NEW_UNIT, "callback_data": "ob:new"}],
        [{"text": say.BTN_HAVE_CODE, "callback_data": "ob:code"}],
    ]

    since = api.mark()
    tap, replies = await chat.press("ob:new", until=re.escape(say.ASK_NAME))
    answered = await api.wait_for(
        "answerCallbackQuery",
        lambda c: c.params.get("callback_query_id") == tap["callback_query"]["id"],
        since=since,
    )
    assert answered.ok
    retired = await api.wait_for(
        "editMessageReplyMarkup",
        lambda c: c.chat_id == chat.user_id and int(c.params["message_id"]) == welcome.message_id,
        since=since,
    )
    assert retired.ok
    assert "reply_markup" not in retired.params
    assert answered.index < replies[0].index, "the spinner stops before the reply"
    shown = api.message(chat.user_id, welcome.message_id)
    assert shown is not None
    assert "reply_markup" not in shown

    await chat.say("UBND xã Quảng Phú", until=re.escape(say.ASK_PROVINCE))
    replies = await chat.say("Thành phố Huế", until=re.escape(say.ASK_TYPE))
    assert replies[-1].buttons[:2] == ["ut:xa", "ut:cqh"]
    assert len(replies[-1].buttons) == 11
    await chat.press("ut:xa", until=re.escape(say.ASK_MEMBERS))
    replies = await chat.say("30", until=VALUE_HEAD.pattern)
    created = "\n".join(c.text for c in replies)
    assert "Mã mời đồng nghiệp:" in created
    assert "UBND xã Quảng Phú" in created

    question = replies[-1]
    asked: list[str] = []
    while True:
        head = VALUE_HEAD.search(question.text)
        if head is None:
            break
        indicator, position, total = head[1], int(head[2]), int(head[3])
        asked.append(indicator)
        assert (position, total) == (len(asked), 13), question.text
        buttons = question.buttons
        assert "nav:skip" in buttons
        if "v:y" in buttons:
            await chat.press("v:y", until=evidence_question(indicator))
        elif "v:tap_the_lao_dong_xuat_sac" in buttons:
            await chat.press("v:tap_the_lao_dong_xuat_sac", until=evidence_question(indicator))
        else:
            assert indicator.startswith(("2.", "3.")), question.text
            await chat.say("30", until=evidence_question(indicator))
        if len(asked) % 2:
            pattern = re.compile(evidence_question(indicator), re.M)
            await chat.say(
                "Kế hoạch số 12/KH-UBND",
                until=lambda text, p=pattern: p.search(text) and "Minh chứng 1:" in text,
            )
            await chat.press("ev:done", until=description_question(indicator))
        else:
            await chat.press("ev:later", until=description_question(indicator))
        await chat.press("ds:skip", until=strengths_question(indicator))
        _, replies = await chat.press("sw:skip", until=next_question_or_result)
        question = replies[-1]
        assert len(asked) <= 13, asked

    assert asked == XA_WALK
    assert say.WALK_FINISHED in "\n".join(c.text for c in replies)
    heading = next(line for line in question.text.splitlines() if line.startswith("KẾT QUẢ"))

    ketqua = api.text_update(chat.user_id, "/ketqua", first_name=chat.name)
    since = api.mark()
    replies = await chat.send(ketqua, until="^KẾT QUẢ")
    assert heading in replies[-1].text.splitlines()
    await api.wait_for(  # typing over a question retires its buttons, after the reply
        "editMessageReplyMarkup",
        lambda c: c.chat_id == chat.user_id and int(c.params["message_id"]) == question.message_id,
        since=since,
    )
    polling_bot.healthy()

    answers = {c.params.get("callback_query_id") for c in api.calls_of("answerCallbackQuery")}
    assert set(chat.callbacks) <= answers, "every tap is answered"
    everything = chat.sent()
    check_limits(everything)
    assert len(api.live_keyboards(chat.user_id)) <= 1, "old questions keep no buttons"
    assert all(c.ok for c in api.calls_of("sendMessage", chat_id=chat.user_id)), (
        "Telegram refused a message"
    )


async def test_uploads_at_an_evidence_step(api: FakeBotApi, polling_bot: BotProcess) -> None:
    chat = Chat(api, polling_bot, 2_000_002, "Minh")
    first = await onboard(chat)
    assert VALUE_HEAD.search(first.text)
    await chat.press("v:y", until=evidence_question("1.1"))

    pdf = small_pdf()
    remote = api.register_file("BQACAgIAAxkBAAIBZ2ke-pdf", pdf, file_path="documents/file_12.pdf")
    since = api.mark()
    upload = api.document_update(
        chat.user_id,
        file_id=remote.file_id,
        file_name="ke-hoach-hoc-tap-2025.pdf",
        mime_type="application/pdf",
        file_size=len(pdf),
        first_name="Minh",
    )
    replies = await chat.send(upload, until=r"^Đã nhận tệp ke-hoach-hoc-tap-2025\.pdf")
    assert [c.params["file_id"] for c in api.calls_of("getFile", since=since)] == [remote.file_id]
    assert remote.file_path in api.downloads
    assert "ev:done" in replies[-1].buttons
    stored = [p for p in (polling_bot.data_dir / "evidence").rglob("*") if p.is_file()]
    assert pdf in [p.read_bytes() for p in stored], "the PDF is kept in the evidence store"

    since = api.mark()
    big = api.document_update(
        chat.user_id,
        file_id="BQACAgIAAxkBAAIBZ2ke-big",
        file_name="video-hoi-nghi.zip",
        mime_type="application/zip",
        file_size=25 * 1024 * 1024,
        first_name="Minh",
    )
    replies = await chat.send(big, until="20 MB")
    assert api.calls_of("getFile", since=since) == [], "no download of a file over 20 MB"
    assert re.search(evidence_question("1.1"), replies[-1].text, re.M), "asked again"

    sizes = [
        ("AgACAgIAAxkBAAIBZ2ke-s", 90, 68, 300),
        ("AgACAgIAAxkBAAIBZ2ke-m", 320, 240, 2_000),
        ("AgACAgIAAxkBAAIBZ2ke-x", 1280, 960, 9_000),
    ]
    for number, (file_id, _, _, size) in enumerate(sizes):
        data = JPEG_HEAD + file_id.encode() + bytes(size - 20 - len(file_id))
        api.register_file(file_id, data, file_path=f"photos/file_{number}.jpg")
    since = api.mark()
    replies = await chat.send(
        api.photo_update(chat.user_id, sizes, first_name="Minh"),
        until=r"^Đã nhận tệp Ảnh minh chứng 1\.1 \(1\)",
    )
    fetched = [c.params["file_id"] for c in api.calls_of("getFile", since=since)]
    assert fetched == ["AgACAgIAAxkBAAIBZ2ke-x"], "the largest size is the one fetched"

    # Telegram's file server failing mid-download: the user still gets an answer.
    broken = api.register_file(
        "BQACAgIAAxkBAAIBZ2ke-500", small_pdf() + b"%x", download_status=500
    )
    since = api.mark()
    failed = api.document_update(
        chat.user_id,
        file_id=broken.file_id,
        file_name="bien-ban.pdf",
        mime_type="application/pdf",
        file_size=broken.size,
        first_name="Minh",
    )
    replies = await chat.send(failed, until=lambda text: True)
    assert replies, "an upload that cannot be downloaded still gets a reply"
    assert "Đã nhận tệp bien-ban.pdf" not in replies[-1].text
    await chat.press("ev:done", until=description_question("1.1"))


async def test_same_update_twice_is_answered_once(
    api: FakeBotApi, polling_bot: BotProcess
) -> None:
    chat = Chat(api, polling_bot, 2_000_003, "Hoa")
    start = api.text_update(chat.user_id, "/start", first_name="Hoa")
    since = api.mark()
    api.enqueue(start, start)  # redelivered in the same batch
    api.enqueue(api.text_update(chat.user_id, "/huongdan", first_name="Hoa"))
    # /huongdan is answered after both copies of /start were handled (one user's updates go in
    # order): the copy that came twice had its chance to answer.
    await chat.wait(since, until=re.escape(say.HELP.split("\n", 1)[0]))
    polling_bot.healthy()
    texts = [c.text for c in chat.sent(since)]
    assert len(texts) == 2, texts
    assert texts[0].startswith("Chào Hoa!")
    assert texts[1].startswith(say.HELP.split("\n", 1)[0])

    # A double tap: two callback queries on the same message, in one batch.
    welcome = api.find_button(chat.user_id, "ob:new")
    taps = [
        api.callback_update(chat.user_id, "ob:new", message=welcome, first_name="Hoa")
        for _ in range(2)
    ]
    since = api.mark()
    api.enqueue(*taps)
    await chat.wait(since, until=re.escape(say.STALE_BUTTON))
    texts = [c.text for c in chat.sent(since)]
    assert texts[0] == say.ASK_NAME
    assert texts[1].startswith(say.STALE_BUTTON)
    assert len(texts) == 2, texts
    for tap in taps:
        query_id = tap["callback_query"]["id"]
        await api.wait_for(
            "answerCallbackQuery",
            lambda c, q=query_id: c.params.get("callback_query_id") == q,
            since=since,
        )
    polling_bot.alive()


async def test_flood_limit_is_waited_out(api: FakeBotApi, polling_bot: BotProcess) -> None:
    chat = Chat(api, polling_bot, 2_000_004, "Tuấn")
    api.fail("sendMessage", 429, chat_id=chat.user_id, retry_after=1)
    since = api.mark()
    await chat.say("/start", until=re.escape(WELCOME))
    attempts = api.calls_of("sendMessage", since=since, chat_id=chat.user_id)
    assert [c.status for c in attempts] == [429, 200]
    assert attempts[1].at - attempts[0].at >= 0.9


async def test_server_errors_are_retried(api: FakeBotApi, polling_bot: BotProcess) -> None:
    chat = Chat(api, polling_bot, 2_000_005, "Hùng")
    api.fail("sendMessage", 500, times=2, chat_id=chat.user_id)
    since = api.mark()
    await chat.say("/start", until=re.escape(WELCOME))
    attempts = api.calls_of("sendMessage", since=since, chat_id=chat.user_id)
    assert [c.status for c in attempts] == [500, 500, 200]


async def test_blocked_user_does_not_stop_the_bot(
    api: FakeBotApi, polling_bot: BotProcess
) -> None:
    blocked = Chat(api, polling_bot, 2_000_006, "Bình")
    api.block(blocked.user_id)
    since = api.mark()
    api.enqueue(api.text_update(blocked.user_id, "/start", first_name="Bình"))
    refused = await api.wait_for(
        "sendMessage", lambda c: c.chat_id == blocked.user_id, since=since
    )
    assert refused.status == 403

    other = Chat(api, polling_bot, 2_000_007, "Mai")
    await other.say("/start", until=re.escape(WELCOME))
    polling_bot.alive()
    assert len(api.calls_of("sendMessage", since=since, chat_id=blocked.user_id)) == 1

    sql = "SELECT active FROM channel_identities WHERE channel = 'telegram' AND external_id = ?"
    deadline = time.monotonic() + 10
    while db_rows(polling_bot.database, sql, str(blocked.user_id)) != [(0,)]:
        assert time.monotonic() < deadline, db_rows(
            polling_bot.database, sql, str(blocked.user_id)
        )
        await asyncio.sleep(0.05)
    assert db_rows(polling_bot.database, sql, str(other.user_id)) == [(1,)]


async def test_user_who_blocks_mid_question_then_returns(
    api: FakeBotApi, polling_bot: BotProcess
) -> None:
    """The user types an answer and blocks the bot before it is handled: the bot marks them
    unreachable (no traceback); when they unblock and write again they are served."""
    chat = Chat(api, polling_bot, 2_000_009, "Thu")
    await chat.say("/start", until=re.escape(WELCOME))  # the welcome keeps its buttons
    api.block(chat.user_id)
    since = api.mark()
    api.enqueue(api.text_update(chat.user_id, "/huongdan", first_name="Thu"))
    refused = await api.wait_for("sendMessage", lambda c: c.chat_id == chat.user_id, since=since)
    assert refused.status == 403
    sql = "SELECT active FROM channel_identities WHERE channel = 'telegram' AND external_id = ?"
    await wait_rows(polling_bot.database, sql, str(chat.user_id), expected=[(0,)])
    polling_bot.healthy()
    api.unblock(chat.user_id)
    await chat.say("/start", until=re.escape(WELCOME))
    assert db_rows(polling_bot.database, sql, str(chat.user_id)) == [(1,)]


async def test_refusal_in_a_group_does_not_mark_the_member_unreachable(
    api: FakeBotApi, polling_bot: BotProcess
) -> None:
    """A 403 from a group ("bot was kicked from the group chat") says nothing about whether
    the member who typed the command can still be reached in private."""
    chat = Chat(api, polling_bot, 2_000_010, "Phúc")
    await chat.say("/start", until=re.escape(WELCOME))
    group = -4_055_555_555
    api.block(group, "Forbidden: bot was kicked from the group chat")
    since = api.mark()
    update = api.group_update(chat.user_id, "/huongdan@dvht_bot", group_id=group)
    api.enqueue(update)
    refused = await api.wait_for("sendMessage", lambda c: c.chat_id == group, since=since)
    assert refused.status == 403
    # A second command in the same group is handled only after the first one has finished
    # (marking included, had it marked anyone): its own refusal is the sign.
    since = api.mark()
    api.enqueue(api.group_update(chat.user_id, "/huongdan@dvht_bot", group_id=group))
    again = await api.wait_for("sendMessage", lambda c: c.chat_id == group, since=since)
    assert again.status == 403
    polling_bot.healthy()
    sql = "SELECT active FROM channel_identities WHERE channel = 'telegram' AND external_id = ?"
    assert db_rows(polling_bot.database, sql, str(chat.user_id)) == [(1,)], (
        "a group's 403 marked the member as having blocked the bot"
    )


async def test_photo_with_a_numbered_caption_is_kept(
    api: FakeBotApi, polling_bot: BotProcess
) -> None:
    """Officials number the photos they send ("1", "2"…): the caption must not turn the
    upload into a tap on the first button ("Bổ sung sau") and lose the photo."""
    chat = Chat(api, polling_bot, 2_000_011, "Nga")
    await onboard(chat)
    _, shown = await chat.press("v:y", until=evidence_question("1.1"))
    asked = shown[-1]
    file_id = "AgACAgIAAxkBAAIBZ2ke-caption1"
    api.register_file(
        file_id, JPEG_HEAD + file_id.encode() + bytes(500), file_path="photos/file_77.jpg"
    )
    since = api.mark()
    photo = api.photo_update(
        chat.user_id, [(file_id, 1280, 960, 556)], caption="1", first_name="Nga"
    )
    replies = await chat.send(photo, until=lambda text: True)
    await api.wait_for(  # the caption counts as typing over the question: its buttons go last
        "editMessageReplyMarkup",
        lambda c: c.chat_id == chat.user_id and int(c.params["message_id"]) == asked.message_id,
        since=since,
    )
    polling_bot.healthy()
    texts = "\n".join(c.text for c in chat.sent(since))
    assert [c.params["file_id"] for c in api.calls_of("getFile", since=since)] == [file_id]
    assert "Đã nhận tệp Ảnh minh chứng 1.1 (1)" in texts, texts
    assert replies


async def test_an_album_is_one_evidence_item(api: FakeBotApi, polling_bot: BotProcess) -> None:
    """Three photos sent together arrive as three updates with one media_group_id."""
    chat = Chat(api, polling_bot, 2_000_012, "Hoa")
    await onboard(chat)
    await chat.press("v:y", until=evidence_question("1.1"))
    album = "13722545713457731"
    for n in range(3):
        file_id = f"AgACAgIAAxkBAAIBZ2ke-album{n}"
        api.register_file(
            file_id, JPEG_HEAD + file_id.encode() + bytes(300), file_path=f"photos/a{n}.jpg"
        )
        photo = api.photo_update(
            chat.user_id, [(file_id, 1280, 960, 400)], first_name="Hoa", media_group_id=album
        )
        # Each photo's reply ends by asking for evidence again: then the photo is handled.
        await chat.send(photo, until=evidence_question("1.1"))
    polling_bot.healthy()
    items = db_rows(
        polling_bot.database,
        "SELECT e.id, (SELECT count(*) FROM evidence_files f WHERE f.evidence_id = e.id) "
        "FROM evidence e JOIN evidence_indicators l ON l.evidence_id = e.id "
        "WHERE l.indicator_id = '1.1' AND e.kind = 'photo' ORDER BY e.id DESC LIMIT 1",
    )
    assert [count for _, count in items] == [2]  # one item: the first photo and two more


async def test_an_evidence_item_is_removed_with_its_own_button(
    api: FakeBotApi, polling_bot: BotProcess
) -> None:
    """Two references typed, the first taken off with its “Xóa minh chứng 1” button: the list
    then has only the second, and the database keeps the removed link with who and when."""
    chat = Chat(api, polling_bot, 2_000_014, "Thu")
    await onboard(chat)
    await chat.press("v:y", until=evidence_question("1.1"))
    await chat.say("Kế hoạch số 12/KH-UBND", until="^Minh chứng 1: Kế hoạch số 12")
    replies = await chat.say("Quyết định số 7/QĐ-UBND", until="^Minh chứng 2: Quyết định")
    removals = [b for b in replies[-1].buttons if b.startswith("evx:")]
    assert len(removals) == 2, replies[-1].buttons
    _, replies = await chat.press(removals[0], until=evidence_question("1.1"))
    texts = "\n".join(c.text for c in replies)
    assert "Đã xóa minh chứng 1 “Kế hoạch số 12/KH-UBND” khỏi 1.1" in texts, texts
    listing = replies[-1].text.split("Minh chứng cho 1.1:", 1)[1]  # after the confirmation
    assert "Minh chứng 1: Quyết định số 7/QĐ-UBND" in listing
    assert "Kế hoạch số 12" not in listing
    assert [b for b in replies[-1].buttons if b.startswith("evx:")] == removals[1:]
    polling_bot.healthy()
    removed = db_rows(
        polling_bot.database,
        "SELECT e.title, l.removed_by IS NOT NULL FROM evidence e "
        "JOIN evidence_indicators l ON l.evidence_id = e.id WHERE l.removed_at IS NOT NULL "
        "AND e.id = ?",
        int(removals[0].removeprefix("evx:")),
    )
    assert removed == [("Kế hoạch số 12/KH-UBND", 1)]


async def test_baocao_sends_the_pdf_docx_and_xlsx(
    api: FakeBotApi, polling_bot: BotProcess
) -> None:
    chat = Chat(api, polling_bot, 2_000_013, "Mai")
    await onboard(chat)
    since = api.mark()
    update = api.text_update(chat.user_id, "/baocao", first_name="Mai")
    api.enqueue(update)
    sent = await api.wait_for("sendDocument", lambda c: c.chat_id == chat.user_id, since=since)
    document = sent.params["document"]
    assert isinstance(document, Upload)
    # Named after the unit, the assessment year and the day in Vietnam (the bot's clock).
    day = vietnam_time.today()
    stem = f"ubnd-xa-quang-phu_{vietnam_time.assessment_year(day)}_{day.isoformat()}"
    assert document.filename == f"bao-cao-tu-danh-gia_{stem}.pdf"
    assert document.data.startswith(b"%PDF")
    await api.wait_for(
        "sendDocument",
        lambda c: c.chat_id == chat.user_id and c.params["document"].filename.endswith(".xlsx"),
        since=since,
    )
    documents = api.calls_of("sendDocument", since=since, chat_id=chat.user_id)
    assert [c.params["document"].filename for c in documents] == [
        f"bao-cao-tu-danh-gia_{stem}.pdf",
        f"bao-cao-tu-danh-gia_{stem}.docx",
        f"bang-tong-hop_{stem}.xlsx",
    ]
    actions = api.calls_of("sendChatAction", since=since, chat_id=chat.user_id)
    assert [c.params["action"] for c in actions] == ["upload_document"]  # while rendering
    assert actions[0].index < documents[0].index


async def test_the_roster_template_goes_out_and_the_filled_file_comes_back(
    api: FakeBotApi, polling_bot: BotProcess
) -> None:
    """Issue 16: /danhsach sends the XLSX template (sendDocument); the filled file comes in
    through getFile, the counts are asked about, and “Có” records them."""
    from openpyxl import load_workbook  # type: ignore[import-untyped]

    from reports.roster_xlsx import MEMBERS_SHEET, TEMPLATE_NAME
    from tests.roster_chat import sheets

    chat = Chat(api, polling_bot, 2_000_016, "Hoa")
    await onboard(chat)
    since = api.mark()
    api.enqueue(api.text_update(chat.user_id, "/danhsach", first_name="Hoa"))
    sent = await api.wait_for("sendDocument", lambda c: c.chat_id == chat.user_id, since=since)
    template = sent.params["document"]
    assert isinstance(template, Upload)
    assert template.filename == TEMPLATE_NAME
    first_line = say.ROSTER_TEMPLATE_CAPTION.split("\n")[0]
    assert first_line in str(sent.params.get("caption", ""))
    await chat.wait(since, re.escape(say.ROSTER_AWAIT))

    book = load_workbook(io.BytesIO(template.data))
    for offset, row in enumerate(sheets.rows()):
        for column, value in enumerate(row, start=2):
            book[MEMBERS_SHEET].cell(
                row=sheets.HEADER_ROW + 1 + offset, column=column, value=value
            )
    filled = io.BytesIO()
    book.save(filled)
    data = filled.getvalue()
    remote = api.register_file("BQACAgIAAxkBAAIBZ2ke-ds", data, file_path="documents/ds.xlsx")
    since = api.mark()
    upload = api.document_update(
        chat.user_id,
        file_id=remote.file_id,
        file_name="danh-sach.xlsx",
        mime_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        file_size=len(data),
        first_name="Hoa",
    )
    replies = await chat.send(upload, until=re.escape(say.ROSTER_CONFIRM_QUESTION))
    assert [c.params["file_id"] for c in api.calls_of("getFile", since=since)] == [remote.file_id]
    assert replies[-1].text.startswith("Theo danh sách: 20 thành viên; 2.1 20/20 (100%);")
    assert replies[-1].buttons == ["rs:yes", "rs:no"]
    await chat.press("rs:yes", until="^Đã ghi theo danh sách")
    await wait_rows(
        polling_bot.database,
        "SELECT count(*) FROM rosters WHERE confirmed_at IS NOT NULL",
        expected=[(1,)],
    )
    polling_bot.healthy()


async def test_groups_get_commands_only(api: FakeBotApi, polling_bot: BotProcess) -> None:
    group = -4_098_765_432
    user = 2_000_008
    since = api.mark()
    updates = [
        api.group_update(user, "chào cả nhà, hôm nay họp lúc 8h", group_id=group),
        api.group_update(user, "30", group_id=group),
        api.group_update(user, "/huongdan@dvht_bot", group_id=group),
    ]
    api.enqueue(*updates)
    # The help answers the last of the three, so the two before it were handled (ignored).
    helped = await api.wait_for("sendMessage", lambda c: c.chat_id == group, since=since)
    polling_bot.healthy()
    assert helped.ok
    assert helped.text == say.GROUP_HELP
    assert api.calls_of("sendMessage", since=since, chat_id=group) == [helped]
    assert api.calls_of("sendMessage", since=since, chat_id=user) == []


# --- webhook -----------------------------------------------------------------------------------


async def post_update(
    api: FakeBotApi, port: int, update: dict[str, Any], secret: str | None = SECRET
) -> tuple[int, str]:
    return await api.post_webhook(port, update, secret)


async def test_webhook_registers_and_answers(
    webhook_api: FakeBotApi, webhook_bot: BotProcess
) -> None:
    port = webhook_bot.port
    registered = webhook_api.calls_of("setWebhook")
    assert len(registered) == 1
    assert registered[0].params["url"] == WEBHOOK_URL
    assert registered[0].params["secret_token"] == SECRET
    assert registered[0].params.get("allowed_updates") == ["message", "callback_query"]
    assert [c["command"] for c in webhook_api.commands] == COMMANDS
    assert webhook_api.calls_of("getUpdates") == []
    assert webhook_api.calls_of("deleteWebhook") == []

    chat = Chat(webhook_api, webhook_bot, 3_000_001, "Lan")
    since = webhook_api.mark()
    status, _ = await post_update(
        webhook_api, port, webhook_api.text_update(chat.user_id, "/start")
    )
    assert status == 200
    replies = await chat.wait(since, until=re.escape(WELCOME))
    assert replies[-1].buttons == ["ob:new", "ob:code"]

    tap = webhook_api.callback_update(chat.user_id, "ob:new")
    since = webhook_api.mark()
    status, _ = await post_update(webhook_api, port, tap)
    assert status == 200
    await chat.wait(since, until=re.escape(say.ASK_NAME))
    answered = webhook_api.calls_of("answerCallbackQuery", since=since)
    assert [c.params["callback_query_id"] for c in answered] == [tap["callback_query"]["id"]]
    # The pressed question's buttons go in the webhook response, which Telegram carries out.
    pressed = tap["callback_query"]["message"]["message_id"]
    removed = webhook_api.calls_of("editMessageReplyMarkup", since=since)
    assert [(c.via_webhook, int(c.params["message_id"]), c.ok) for c in removed] == [
        (True, pressed, True)
    ]
    assert pressed not in webhook_api.live_keyboards(chat.user_id)


async def test_webhook_retry_is_answered_once(
    webhook_api: FakeBotApi, webhook_bot: BotProcess
) -> None:
    port = webhook_bot.port
    chat = Chat(webhook_api, webhook_bot, 3_000_002, "Hoa")
    start = webhook_api.text_update(chat.user_id, "/start", first_name="Hoa")
    since = webhook_api.mark()
    assert (await post_update(webhook_api, port, start))[0] == 200
    await chat.wait(since, until=re.escape(WELCOME))
    assert (await post_update(webhook_api, port, start))[0] == 200  # Telegram retries a webhook
    help_update = webhook_api.text_update(chat.user_id, "/huongdan", first_name="Hoa")
    assert (await post_update(webhook_api, port, help_update))[0] == 200
    await chat.wait(since, until=re.escape(say.HELP.split("\n", 1)[0]))
    texts = [c.text for c in chat.sent(since)]
    assert len(texts) == 2, texts


async def test_webhook_refuses_a_wrong_secret(
    webhook_api: FakeBotApi, webhook_bot: BotProcess
) -> None:
    port = webhook_bot.port
    user = 3_000_003
    since = webhook_api.mark()
    update = webhook_api.text_update(user, "/start", first_name="Kẻ lạ")
    assert (await post_update(webhook_api, port, update, secret="s3cret_ABD"))[0] == 401
    assert (await post_update(webhook_api, port, update, secret=None))[0] == 401
    assert (await post_update(webhook_api, port, update, secret=""))[0] == 401
    assert (await post_update(webhook_api, port, update, secret=SECRET.lower()))[0] == 401
    await asyncio.sleep(0.5)
    assert webhook_api.calls_of(since=since) == []
    database, update_id = webhook_bot.database, str(update["update_id"])
    for sql, key in (
        ("SELECT * FROM processed_updates WHERE update_id = ?", update_id),
        ("SELECT * FROM channel_identities WHERE external_id = ?", str(user)),
        ("SELECT * FROM conversation_states WHERE user_id = ?", str(user)),
    ):
        assert db_rows(database, sql, key) == [], sql

    # The same update with the right secret is handled: the refused ones left no trace.
    chat = Chat(webhook_api, webhook_bot, user, "Kẻ lạ")
    assert (await post_update(webhook_api, port, update))[0] == 200
    await chat.wait(since, until=re.escape(WELCOME))


# --- after everything: shutdown and logs ---------------------------------------------------------


def test_shutdown_and_logs(
    api: FakeBotApi,
    webhook_api: FakeBotApi,
    polling_bot: BotProcess,
    webhook_bot: BotProcess,
) -> None:
    check_limits(api.calls_of("sendMessage") + webhook_api.calls_of("sendMessage"))
    for bot in (polling_bot, webhook_bot):
        bot.stop()
    output = {"polling": polling_bot.output(), "webhook": webhook_bot.output()}
    assert "long polling" in output["polling"], output["polling"][-2000:]
    assert "webhook" in output["webhook"], output["webhook"][-2000:]
    for mode, text in output.items():
        secret_part = TOKEN.split(":", 1)[1]
        leaks = [line for line in text.splitlines() if secret_part in line]
        assert not leaks, f"the bot token reached the {mode} bot's output:\n" + "\n".join(
            leaks[:5]
        )
        assert SECRET not in text, f"the webhook secret reached the {mode} bot's output"
    for mode, bot in (("polling", polling_bot), ("webhook", webhook_bot)):
        assert not bot.killed, f"the {mode} bot ignored SIGTERM for 15 s"
        assert bot.returncode == 0, f"the {mode} bot exited with {bot.returncode}"
