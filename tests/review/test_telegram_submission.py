"""Submission and review through Telegram as `dvht serve` wires it: the real aiogram dispatch
path with crash-safe polling against the fake Bot API over real HTTP, and the reminder
dispatcher on the channel's sender. The admin submits with /nop and the “Có” button, the
reviewer's chat gets the notice, a member's edit is refused with when and by whom; the office
returns it, every member is told why and the edit goes through; /dangnhap hands out a link."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.settings import Settings
from bot.telegram.inbox import InboxPolling
from bot.wiring import App, build_dispatcher, build_telegram
from conversations.records import Actor
from dvht_core import vietnam_time
from storage.review_store import review_service
from tests.reminders.world import World
from tests.review.seed import answer_all
from tests.telegram.fake_bot_api import TOKEN, FakeBotApi

ADMIN, MEMBER, REVIEWER = 5001, 5002, 5003


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    with FakeBotApi() as fake:
        yield fake


@pytest.fixture
async def app(
    api: FakeBotApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[App, Settings, InboxPolling, asyncio.Event]]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("DVHT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TELEGRAM_API_URL", api.url)
    monkeypatch.setenv("DVHT_PUBLIC_URL", "https://dvht.example.vn")
    settings = Settings()
    built, channel = await build_telegram(settings, TOKEN)
    stop = asyncio.Event()
    polling = InboxPolling(
        channel.bot,
        channel.dispatcher,
        channel.sender,
        built.inbox("telegram"),
        stop=stop,
        polling_timeout=1,
    )
    try:
        yield built, settings, polling, stop
    finally:
        await built.close()
        await channel.close()


@contextlib.asynccontextmanager
async def running(polling: InboxPolling, stop: asyncio.Event) -> AsyncIterator[None]:
    task = asyncio.create_task(polling.run())
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=30)


async def say_and_wait(api: FakeBotApi, user: int, text: str, expect: str) -> str:
    since = api.mark()
    api.enqueue(api.text_update(user, text))
    call = await api.wait_for(
        "sendMessage", lambda c: c.chat_id == user and c.index >= since and expect in c.text
    )
    return str(call.text)


async def test_submit_notify_refuse_return_through_telegram(
    api: FakeBotApi, app: tuple[App, Settings, InboxPolling, asyncio.Event]
) -> None:
    built, settings, polling, stop = app
    world = World(built.database)
    year = vietnam_time.assessment_year(vietnam_time.today())
    office = await world.office("Sở GD&ĐT Hưng Yên")
    unit = await world.unit("An Thi", office_id=office)
    await world.person("Lan", "An Thi", role="unit_admin", chat_id=ADMIN)
    await world.person("Minh", "An Thi", chat_id=MEMBER)
    reviewer = await world.person("Hà", reviewer_of=(office,), chat_id=REVIEWER)
    await answer_all(built.database, unit, year)
    dispatcher = build_dispatcher(
        settings, built.database, {"telegram": polling.sender}, quiet_hours=False, plan=False
    )

    async with running(polling, stop):
        question = await say_and_wait(api, ADMIN, "/nop", "đề nghị công nhận mức")
        assert "Sở GD&ĐT Hưng Yên" in question
        since = api.mark()
        api.enqueue(api.callback_update(ADMIN, "sb:yes"))
        await api.wait_for(
            "sendMessage", lambda c: c.chat_id == ADMIN and c.index >= since and "Đã nộp" in c.text
        )
        await dispatcher.run_until_idle(horizon=dt.timedelta(0))
        [notice] = [c.text for c in api.sent(REVIEWER)]
        assert "UBND xã An Thi" in notice
        assert "https://dvht.example.vn/donvi" in notice

        await say_and_wait(api, MEMBER, "/sua 2.4", "2.4")
        refused = await say_and_wait(api, MEMBER, "25", "không sửa được nữa")
        today = vietnam_time.today().strftime("%d/%m/%Y")
        assert refused.startswith(f"Hồ sơ đã nộp ngày {today} bởi Lan")

        await review_service(built.database).return_dossier(
            Actor.person(reviewer.person_id), unit_id=unit, year=year, reason="Thiếu minh chứng"
        )
        await dispatcher.run_until_idle(horizon=dt.timedelta(0))
        for chat in (ADMIN, MEMBER):
            assert any("Lý do: Thiếu minh chứng" in c.text for c in api.sent(chat)), chat
        await say_and_wait(api, MEMBER, "/sua 2.4", "2.4")
        await say_and_wait(api, MEMBER, "25", "Minh chứng cho 2.4")  # stored: on to evidence

        link = await say_and_wait(api, REVIEWER, "/dangnhap", "https://dvht.example.vn/dangnhap/")
        assert "15 phút" in link
