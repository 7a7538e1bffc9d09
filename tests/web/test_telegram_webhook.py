"""The Telegram webhook on the backend, in this process around the real Telegram channel
(aiogram dispatcher, conversation service, SQLite) with the fake Bot API over real HTTP: the
answered question's buttons come back as the webhook response (JSON, `"method"` first, as
aiogram would send the request) instead of a request of their own, and every update is
counted in /metrics by outcome."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from aiohttp import ClientSession

from bot.serve import close_all
from bot.settings import Settings
from bot.telegram.webhook import WEBHOOK_PATH, webhook_router
from bot.wiring import build_telegram
from conversations import catalogue as say
from tests.telegram.fake_bot_api import TOKEN, FakeBotApi
from tests.web.conftest import served
from web.app import create_app

SECRET = "hook_SECRET-42"
WELCOME = "Bạn muốn tạo đơn vị mới hay tham gia đơn vị bằng mã mời?"


@dataclass
class Hook:
    api: FakeBotApi
    url: str

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    async def post(self, update: dict[str, object]) -> tuple[int, str, bytes]:
        """Post as Telegram does; the status, content type and raw body of the response."""
        async with (
            ClientSession() as http,
            http.post(
                self.url + WEBHOOK_PATH,
                json=update,
                headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
            ) as response,
        ):
            return response.status, response.headers["Content-Type"], await response.read()

    async def metric(self, outcome: str) -> float:
        async with httpx.AsyncClient() as client:
            text = (await client.get(self.url + "/metrics")).text
        pattern = rf'^dvht_updates_total{{channel="telegram",outcome="{outcome}"}} (\S+)$'
        found = re.search(pattern, text, re.M)
        return float(found.group(1)) if found else 0.0

    async def replies(self, chat_id: int, since: int, until: str) -> None:
        await self.api.wait_for(
            "sendMessage", lambda c: c.chat_id == chat_id and until in c.text, since=since
        )


@pytest.fixture
async def hook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Hook]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("DVHT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TELEGRAM_WEBHOOK_URL", "https://bot.example.test/telegram/webhook")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", SECRET)
    with FakeBotApi() as api:
        monkeypatch.setenv("TELEGRAM_API_URL", api.url)
        app, channel = await build_telegram(Settings(), TOKEN)
        router = webhook_router(channel.bot, channel.dispatcher, secret=SECRET)
        try:
            async with served(create_app(routers=[router], database_ok=app.database_ok)) as url:
                yield Hook(api, url)
        finally:
            await close_all(app.close, channel.close)


async def test_the_button_removal_is_the_webhook_response(hook: Hook) -> None:
    api, user = hook.api, 7_100_001
    since = api.mark()
    status, kind, body = await hook.post(api.text_update(user, "/start"))
    assert (status, kind, json.loads(body)) == (200, "application/json", {})
    await hook.replies(user, since, WELCOME)

    tap = api.callback_update(user, "ob:new")
    pressed = tap["callback_query"]["message"]["message_id"]
    since = api.mark()
    status, kind, body = await hook.post(tap)
    assert (status, kind) == (200, "application/json")
    answer = json.loads(body)
    assert next(iter(answer)) == "method"
    assert answer == {
        "method": "editMessageReplyMarkup",
        "chat_id": str(user),
        "message_id": pressed,
    }
    await hook.replies(user, since, say.ASK_NAME)
    # The bot made no request of its own for the removal: it travelled in the response.
    assert api.calls_of("editMessageReplyMarkup", since=since) == []
    answered = api.calls_of("answerCallbackQuery", since=since)
    assert [c.params["callback_query_id"] for c in answered] == [tap["callback_query"]["id"]]


async def test_the_response_is_carried_out_as_telegram_would(hook: Hook) -> None:
    """The fake Bot API reads the response as Telegram does and applies the method: the
    pressed question's keyboard is gone."""
    api, user = hook.api, 7_100_002
    since = api.mark()
    await api.post_webhook(hook.port, api.text_update(user, "/start"), SECRET)
    await hook.replies(user, since, WELCOME)
    tap = api.callback_update(user, "ob:new")
    pressed = tap["callback_query"]["message"]["message_id"]
    since = api.mark()
    assert (await api.post_webhook(hook.port, tap, SECRET))[0] == 200
    removed = api.calls_of("editMessageReplyMarkup", since=since)
    assert [(c.via_webhook, int(c.params["message_id"]), c.ok) for c in removed] == [
        (True, pressed, True)
    ]
    assert pressed not in api.live_keyboards(user)


async def test_updates_are_counted_by_outcome(hook: Hook) -> None:
    api, user = hook.api, 7_100_003
    before = {o: await hook.metric(o) for o in ("answered", "duplicate", "ignored")}
    start = api.text_update(user, "/start")
    since = api.mark()
    assert (await hook.post(start))[0] == 200
    await hook.replies(user, since, WELCOME)
    assert (await hook.post(start))[0] == 200  # Telegram retries a webhook it had no answer to
    from_a_bot = api.text_update(user, "xin chào")
    from_a_bot["message"]["from"]["is_bot"] = True  # another bot: not an official
    assert (await hook.post(from_a_bot))[0] == 200
    edited = api.text_update(user, "sửa lại")
    edited["edited_message"] = edited.pop("message")  # no handler for edits
    assert (await hook.post(edited))[0] == 200
    after = {o: await hook.metric(o) for o in before}
    assert after["answered"] - before["answered"] == 1
    assert after["duplicate"] - before["duplicate"] == 1
    assert after["ignored"] - before["ignored"] == 2
    async with httpx.AsyncClient() as client:
        text = (await client.get(hook.url + "/metrics")).text
    count = re.search(r'^dvht_reply_seconds_count{channel="telegram"} (\S+)$', text, re.M)
    assert count is not None
    assert float(count.group(1)) >= 1


async def test_a_wrong_secret_is_refused_before_the_update_is_read(hook: Hook) -> None:
    api, user = hook.api, 7_100_004
    since = api.mark()
    for secret in (None, "", SECRET + "x", SECRET.lower()):
        status, _ = await api.post_webhook(hook.port, api.text_update(user, "/start"), secret)
        assert status == 401
    assert api.calls_of(since=since) == []
