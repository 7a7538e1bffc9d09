"""The crash-safe polling loop in this process, wired as `dvht serve` wires it, against the fake
Bot API over real HTTP: unfinished updates are finished before polling, one user's slow
download holds nobody else up, a stop cancels what runs and the next start finishes it, and an
update the bot died on too often is given up with one sentence to the user."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiogram.types import Update

from bot.settings import Settings
from bot.telegram.client import TelegramChannel
from bot.telegram.inbox import MAX_ATTEMPTS, InboxPolling
from bot.telegram.mapping import from_message
from bot.wiring import App, build_telegram
from conversations import catalogue as say
from storage.inbox import SqlInbox
from tests import evidence_samples as samples
from tests.telegram.fake_bot_api import TOKEN, FakeBotApi

WELCOME = "Bạn muốn tạo đơn vị mới hay tham gia đơn vị bằng mã mời?"


def pdf(title: str) -> bytes:
    """A real one-page PDF, a different file for each title."""
    return samples.pdf(title.encode())


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    with FakeBotApi() as fake:
        yield fake


@dataclass
class Bot:
    """`dvht serve`'s Telegram parts in this process, and a way to run and stop its polling."""

    app: App
    channel: TelegramChannel
    inbox: SqlInbox

    def polling(self, stop: asyncio.Event, *, grace_s: float = 10.0) -> InboxPolling:
        return InboxPolling(
            self.channel.bot,
            self.channel.dispatcher,
            self.channel.sender,
            self.inbox,
            stop=stop,
            polling_timeout=1,
            grace_s=grace_s,
        )

    @contextlib.asynccontextmanager
    async def running(self, *, grace_s: float = 10.0) -> AsyncIterator[asyncio.Event]:
        stop = asyncio.Event()
        task = asyncio.create_task(self.polling(stop, grace_s=grace_s).run())
        try:
            yield stop
        finally:
            stop.set()
            await asyncio.wait_for(task, timeout=30)


@pytest.fixture
async def bot(
    api: FakeBotApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Bot]:
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("DVHT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TELEGRAM_API_URL", api.url)
    app, channel = await build_telegram(Settings(), TOKEN)
    try:
        yield Bot(app, channel, app.inbox("telegram"))
    finally:
        await app.close()
        await channel.close()


def sent_texts(api: FakeBotApi, chat_id: int, since: int = 0) -> list[str]:
    return [call.text for call in api.sent(chat_id, since=since)]


async def test_unfinished_updates_are_finished_before_polling(api: FakeBotApi, bot: Bot) -> None:
    """A stopped process recorded two updates of one user and finished neither."""
    start = api.text_update(4001, "/start")
    help_update = api.text_update(4001, "/huongdan")
    await bot.inbox.record([(str(u["update_id"]), json.dumps(u)) for u in (start, help_update)])
    async with bot.running():
        first_poll = await api.wait_for("getUpdates")
    texts = sent_texts(api, 4001)
    assert len(texts) == 2, texts
    assert texts[0].startswith("Chào Lan!"), "in the order they came"
    assert texts[1].startswith(say.HELP.split("\n", 1)[0])
    assert all(c.index < first_poll.index for c in api.sent(4001)), "finished before polling"
    assert await bot.inbox.unfinished() == []
    rows = await bot.inbox.record([(str(start["update_id"]), "{}")])
    assert rows == set(), "finished entries still turn a redelivery away"


async def test_a_slow_download_holds_up_no_other_user(api: FakeBotApi, bot: Bot) -> None:
    async with bot.running():
        slow, quick = 4101, 4102
        api.enqueue(api.text_update(slow, "/start"))
        await api.wait_for("sendMessage", lambda c: c.chat_id == slow)
        remote = api.register_file("BQACslow", pdf("Kế hoạch"), download_delay=3.0)
        since = api.mark()
        upload = api.document_update(
            slow,
            file_id=remote.file_id,
            file_name="ke-hoach.pdf",
            mime_type="application/pdf",
            file_size=remote.size,
        )
        api.enqueue(upload)
        await api.wait_for("getFile", since=since)
        api.enqueue(api.text_update(quick, "/start", first_name="Minh"))
        answered = await api.wait_for("sendMessage", lambda c: c.chat_id == quick, since=since)
        assert not api.sent(slow, since=since), "the other user was answered during the download"
        late = await api.wait_for("sendMessage", lambda c: c.chat_id == slow, since=since)
        assert answered.index < late.index


async def test_a_stop_mid_download_is_finished_at_the_next_start(
    api: FakeBotApi, bot: Bot
) -> None:
    user = 4201
    async with bot.running():
        api.enqueue(api.text_update(user, "/start"))
        await api.wait_for("sendMessage", lambda c: c.chat_id == user)
    remote = api.register_file("BQACstop", pdf("Biên bản"), download_delay=2.0)
    upload = api.document_update(
        user,
        file_id=remote.file_id,
        file_name="bien-ban.pdf",
        mime_type="application/pdf",
        file_size=remote.size,
    )
    since = api.mark()
    async with bot.running(grace_s=0.2):
        api.enqueue(upload)
        await api.wait_for("getFile", since=since)
    # Stopped during the download: the handler was cancelled, nothing answered.
    await asyncio.sleep(2.5)
    assert api.sent(user, since=since) == []
    [entry] = await bot.inbox.unfinished()
    assert entry.update_id == str(upload["update_id"])
    async with bot.running():
        await api.wait_for("sendMessage", lambda c: c.chat_id == user, since=since)
    assert len(api.sent(user, since=since)) == 1, "answered once"
    assert api.downloads.count(remote.file_path) == 2, "downloaded again after the restart"


async def test_an_update_the_bot_keeps_dying_on_is_given_up(api: FakeBotApi, bot: Bot) -> None:
    update = api.text_update(4301, "/start")
    await bot.inbox.record([(str(update["update_id"]), json.dumps(update))])
    for _ in range(MAX_ATTEMPTS - 1):  # each start that died on it took it up once
        await bot.inbox.unfinished()
    async with bot.running():
        await api.wait_for("getUpdates")
    assert sent_texts(api, 4301) == [say.INTERNAL_ERROR]
    assert await bot.inbox.unfinished() == []


async def test_a_replayed_tap_is_answered_though_its_query_expired(
    api: FakeBotApi, bot: Bot
) -> None:
    """After a long restart Telegram refuses to stop the old tap's spinner (400): the replies
    of the replayed tap must go out all the same."""
    user = 4401
    async with bot.running():
        api.enqueue(api.text_update(user, "/start"))
        await api.wait_for("sendMessage", lambda c: c.chat_id == user)
    tap = api.callback_update(user, "ob:new")
    await bot.inbox.record([(str(tap["update_id"]), json.dumps(tap))])
    api.expire_callbacks()
    since = api.mark()
    async with bot.running():
        await api.wait_for("getUpdates", since=since)
    answers = api.calls_of("answerCallbackQuery", since=since)
    assert [c.status for c in answers] == [400]
    assert sent_texts(api, user, since) == [say.ASK_NAME]


def _texts(calls: list[Any]) -> str:
    return "\n".join(c.text for c in calls)


async def test_an_upload_killed_after_its_commit_is_answered_from_the_kept_replies(
    api: FakeBotApi, bot: Bot
) -> None:
    """The message's transaction committed, then the process died before any reply went out:
    the next start sends the kept replies, and the file is stored once."""
    user = 4501
    async with bot.running():
        for text in ("/start", "1", "UBND xã Thử", "Huế", "1", "30", "đạt"):
            since = api.mark()
            api.enqueue(api.text_update(user, text))
            await api.wait_for("sendMessage", lambda c: c.chat_id == user, since=since)
    remote = api.register_file("BQACkept", pdf("Kế hoạch số 12"))
    upload = api.document_update(
        user,
        file_id=remote.file_id,
        file_name="ke-hoach-12.pdf",
        mime_type="application/pdf",
        file_size=remote.size,
    )
    # Handled up to its commit by a process that then died: its replies were kept, not sent.
    await bot.inbox.record([(str(upload["update_id"]), json.dumps(upload))])
    parsed = Update.model_validate(upload, context={"bot": bot.channel.bot})
    assert parsed.message is not None
    inbound = from_message(parsed.message, parsed.update_id)
    assert inbound is not None
    await bot.app.service.handle(inbound)
    since = api.mark()
    async with bot.running():
        await api.wait_for("getUpdates", since=since)
    texts = _texts(api.sent(user, since=since))
    assert re.search(r"^Đã nhận tệp ke-hoach-12\.pdf", texts, re.M), texts
    stored = [p for p in Path("evidence").rglob("*") if p.is_file()]  # under DVHT_DATA_DIR
    assert [p.read_bytes() for p in stored] == [remote.data], "the file is stored once"


async def test_an_unreadable_entry_does_not_stop_the_start(api: FakeBotApi, bot: Bot) -> None:
    """An entry that no longer parses (recorded by another release) is given up, not fatal."""
    good = api.text_update(4601, "/start")
    await bot.inbox.record([("1", '{"update_id": "not a number"}')])
    await bot.inbox.record([(str(good["update_id"]), json.dumps(good))])
    async with bot.running():
        await api.wait_for("getUpdates")
    assert sent_texts(api, 4601)[0].startswith("Chào Lan!")
    assert await bot.inbox.unfinished() == []
