"""The chart in the chat: on Telegram, through the real aiogram dispatch path with the fake Bot
API over real HTTP, /ketqua sends the result and then the chart as a photo (sendPhoto); a chart
that fails to render leaves the result alone. The walk's last answer is followed by it too;
the console, which shows no picture, gets no chart rendered."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiogram.types import Update
from PIL import Image

from bot.settings import Settings
from bot.telegram.client import TelegramChannel
from bot.wiring import App, build_telegram
from conversations import catalogue as say
from conversations.service import CHART_FILE, ConversationService
from reports.chart import WIDTH_PX, ChartImages
from storage.db import Database
from storage.inbox import SqlInbox
from tests.conversations.driver import BotClient, FakeFiles, build_service, onboard, walk
from tests.telegram.fake_bot_api import TOKEN, Call, FakeBotApi, Upload

USER = 7_316_001
MEMBERS = 42


@dataclass
class Telegram:
    api: FakeBotApi
    app: App
    channel: TelegramChannel

    async def send(self, text: str) -> None:
        """One update through aiogram's dispatcher, as polling or the webhook hands it in."""
        raw = self.api.text_update(USER, text)
        update = Update.model_validate(raw, context={"bot": self.channel.bot})
        await self.channel.dispatcher.feed_update(self.channel.bot, update)

    def delivered(self, since: int) -> list[Call]:
        return [
            c
            for c in self.api.calls_of(None, since=since, chat_id=USER)
            if c.method in ("sendMessage", "sendPhoto", "sendDocument")
        ]


@pytest.fixture
async def telegram(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Telegram]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("DVHT_DATA_DIR", str(tmp_path))
    with FakeBotApi() as api:
        monkeypatch.setenv("TELEGRAM_API_URL", api.url)
        app, channel = await build_telegram(Settings(), TOKEN)
        try:
            # The unit and its answers, typed through the same service the bot runs on.
            client = BotClient(app.service, str(USER), files=FakeFiles(), display_name="Lan")
            await onboard(client, members=MEMBERS)
            await walk(client, "huyen", "ubnd_xa", MEMBERS, {"2.1": "40", "2.4": "21"})
            yield Telegram(api, app, channel)
        finally:
            await channel.close()
            await app.close()


async def test_ketqua_sends_the_result_then_the_chart_as_a_photo(telegram: Telegram) -> None:
    since = telegram.api.mark()
    await telegram.send("/ketqua")
    calls = telegram.delivered(since)
    assert [c.method for c in calls] == ["sendMessage", "sendPhoto"], calls
    assert calls[0].text.startswith("KẾT QUẢ"), calls[0].text
    photo = calls[1].params["photo"]
    assert isinstance(photo, Upload)
    assert photo.filename == CHART_FILE
    assert calls[1].params["caption"] == say.CHART_CAPTION
    image = Image.open(io.BytesIO(photo.data))
    assert (image.format, image.width) == ("PNG", WIDTH_PX)
    assert calls[1].ok, "the fake Bot API accepted the photo"


async def test_a_chart_that_fails_leaves_the_result(
    telegram: Telegram, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(data: dict[str, Any]) -> bytes | None:
        raise RuntimeError("typst ran out of memory")

    charts = telegram.app.service.charts
    assert isinstance(charts, ChartImages)
    monkeypatch.setattr(charts, "render", broken)
    since = telegram.api.mark()
    with caplog.at_level(logging.ERROR, logger="conversations.service"):
        await telegram.send("/ketqua")
    calls = telegram.delivered(since)
    assert [c.method for c in calls] == ["sendMessage"], calls
    assert calls[0].text.startswith("KẾT QUẢ"), calls[0].text
    assert say.INTERNAL_ERROR not in calls[0].text
    assert "chart failed to render" in caplog.text


async def test_chart_data_that_fails_leaves_the_result(
    telegram: Telegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure while the data is built, inside the message's transaction, rolls nothing
    back: the result still goes out."""

    def broken(*_: object) -> dict[str, Any] | None:
        raise KeyError("3.1")

    charts = telegram.app.service.charts
    assert isinstance(charts, ChartImages)
    monkeypatch.setattr(charts, "build", broken)
    since = telegram.api.mark()
    await telegram.send("/ketqua")
    calls = telegram.delivered(since)
    assert [c.method for c in calls] == ["sendMessage"], calls
    assert calls[0].text.startswith("KẾT QUẢ"), calls[0].text


def charted(database: Database, tmp_path: Path) -> ConversationService:
    service = build_service(database, files=FakeFiles(), evidence_root=tmp_path / "evidence")
    service.charts = ChartImages()
    return service


async def test_the_walk_ends_with_the_result_and_its_chart(
    database: Database, tmp_path: Path
) -> None:
    client = BotClient(charted(database, tmp_path), "u-walk", files=FakeFiles())
    await onboard(client, members=MEMBERS)
    await walk(client, "huyen", "ubnd_xa", MEMBERS, {"2.4": "21"})
    kinds = [r.kind for r in client.last]
    assert "result" in kinds
    assert kinds.index("chart") == kinds.index("result") + 1, kinds
    chart = client.last[kinds.index("chart")]
    assert chart.document is not None
    assert chart.document.mime_type == "image/png"


async def test_the_console_gets_no_chart(database: Database, tmp_path: Path) -> None:
    """The console shows no picture: none is rendered for it (Zalo's: tests/zalo/test_chart)."""
    client = BotClient(charted(database, tmp_path), "u-console", files=FakeFiles())
    client.channel = "console"
    await onboard(client, members=MEMBERS)
    await walk(client, "huyen", "ubnd_xa", MEMBERS)
    replies = await client.send("/ketqua")
    assert any(r.kind == "result" for r in replies)
    assert all(r.kind != "chart" and r.document is None for r in replies)


async def test_no_count_answered_sends_no_photo(database: Database, tmp_path: Path) -> None:
    client = BotClient(charted(database, tmp_path), "u-none", files=FakeFiles())
    await onboard(client, members=MEMBERS)
    replies = await client.send("/ketqua")
    assert all(r.kind != "chart" for r in replies)


async def test_a_replayed_result_comes_with_its_chart(database: Database, tmp_path: Path) -> None:
    """/ketqua replayed after a crash (the inbox kept its replies): the chart is made again from
    the kept result's assessment, as a kept report is rendered again."""
    files = FakeFiles()
    service = build_service(database, files=files, evidence_root=tmp_path / "evidence")
    service.charts = ChartImages()
    service.keep_replies = True
    client = BotClient(service, "u-replay", files=files)
    await onboard(client, members=MEMBERS)
    await walk(client, "huyen", "ubnd_xa", MEMBERS)
    inbound = client.inbound(text="/ketqua", update_id="tg-9001")
    payload = json.dumps({"update_id": 9001, "message": {"text": "/ketqua"}})
    await SqlInbox(database, "telegram").record([(inbound.update_id, payload)])
    first = await service.handle(inbound)
    again = await service.handle(inbound)  # the process died before the replies went out
    assert [r.kind for r in again] == [r.kind for r in first]
    assert "chart" in [r.kind for r in again]
