"""The Zalo client against the fake Zalo Bot API over real HTTP: the idle poll, both shapes of
getUpdates, the 2,000-character split, retries on quota and server errors, 401, the start-up
check, and the token kept out of every log line and exception."""

from __future__ import annotations

import logging
import socket
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from bot.startup import StartupFailure
from bot.zalo.check import check_zalo_api
from bot.zalo.client import (
    ZaloClient,
    ZaloClientError,
    ZaloQuotaExceeded,
    ZaloTransientError,
    ZaloUnauthorized,
    split_message,
)
from cli import text as cli_text
from tests.zalo.fake_zalo_api import TOKEN, FakeZaloApi

LAN = "2b4c6d8e0f1a3b5c"


@pytest.fixture
async def client(api: FakeZaloApi) -> AsyncIterator[ZaloClient]:
    zalo = ZaloClient(TOKEN, api.url, backoff_s=0.01, max_backoff_s=0.05)
    yield zalo
    await zalo.close()


def statuses(api: FakeZaloApi, method: str) -> list[int]:
    return [c.status for c in api.calls_of(method)]


async def test_an_idle_poll_ends_with_408_and_brings_nothing(
    api: FakeZaloApi, client: ZaloClient
) -> None:
    assert await client.get_updates(timeout=1) == []
    assert statuses(api, "getUpdates") == [408]


@pytest.mark.parametrize("list_shape", [False, True])
async def test_one_event_per_poll_in_either_shape(
    api: FakeZaloApi, client: ZaloClient, list_shape: bool
) -> None:
    api.list_shape = list_shape
    first, second = api.text_event(LAN, "xin chào"), api.text_event(LAN, "/start")
    api.enqueue(first, second)
    polled = await client.get_updates(timeout=1)
    assert [u.message.text for u in polled if u.message] == ["xin chào"]
    assert polled[0].event_name == "message.text.received"
    assert polled[0].message is not None
    assert polled[0].message.message_id == first["message"]["message_id"]
    assert polled[0].message.sender.display_name == "Lan"
    again = await client.get_updates(timeout=1)
    assert [u.message.text for u in again if u.message] == ["/start"]


async def test_events_come_again_without_an_offset(api: FakeZaloApi, client: ZaloClient) -> None:
    """No offset: the fake, like the service, delivers an event again until it ages out."""
    event = api.text_event(LAN, "1")
    api.enqueue(event)
    ids = []
    for _ in range(3):
        ids += [u.message.message_id for u in await client.get_updates(1) if u.message]
    assert ids == [event["message"]["message_id"]] * 3
    assert await client.get_updates(timeout=1) == []


async def test_a_5000_character_reply_arrives_as_three_parts_in_order(
    api: FakeZaloApi, client: ZaloClient
) -> None:
    sentences = [f"Câu số {i:03d} nói về minh chứng của đơn vị." for i in range(123)]
    text = " ".join(sentences)
    assert 5000 <= len(text) < 6000
    sent = await client.send_message(LAN, text)
    parts = api.texts(LAN)
    assert len(sent) == len(parts) == 3
    assert all(1 <= len(p) <= 2000 for p in parts)
    assert " ".join(parts) == text, "in order, nothing lost"
    assert all(p.endswith(".") for p in parts), "cut at the end of a sentence"


def test_split_prefers_paragraphs_then_lines() -> None:
    text = "a" * 1500 + "\n\n" + "b" * 1000 + "\n" + "c" * 900
    assert [len(p) for p in split_message(text)] == [1500, 1901]
    assert split_message("x" * 4500)[0] == "x" * 2000, "a word longer than a message is cut"
    assert split_message("   ") == []


async def test_the_fake_refuses_a_text_over_2000_characters_as_the_real_api(
    api: FakeZaloApi, client: ZaloClient
) -> None:
    with pytest.raises(ZaloClientError) as refused:
        await client.call("sendMessage", {"chat_id": LAN, "text": "x" * 2001})
    assert refused.value.status == 400
    assert statuses(api, "sendMessage") == [400], "a refusal is not retried"


async def test_quota_exceeded_backs_off_then_succeeds(
    api: FakeZaloApi, client: ZaloClient
) -> None:
    api.fail("sendMessage", 429, times=2)
    await client.send_message(LAN, "Đã lưu 1.1: đạt.")
    assert statuses(api, "sendMessage") == [429, 429, 200]
    assert api.texts(LAN) == ["Đã lưu 1.1: đạt."]


async def test_a_push_does_not_wait_out_the_quota(api: FakeZaloApi, client: ZaloClient) -> None:
    api.fail("sendMessage", 429)
    with pytest.raises(ZaloQuotaExceeded) as quota:
        await client.send_message(LAN, "Nhắc hạn", wait_quota=False)
    assert quota.value.retry_after_s > 0
    assert statuses(api, "sendMessage") == [429]


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_server_errors_are_retried(
    api: FakeZaloApi, client: ZaloClient, status: int
) -> None:
    api.fail("sendMessage", status, times=2)
    await client.send_message(LAN, "Chào")
    assert statuses(api, "sendMessage") == [status, status, 200]


async def test_server_errors_that_last_give_a_transient_error(
    api: FakeZaloApi, client: ZaloClient
) -> None:
    api.fail("sendMessage", 502, times=None)
    with pytest.raises(ZaloTransientError):
        await client.send_message(LAN, "Chào")
    assert statuses(api, "sendMessage") == [502] * 4


async def test_a_slow_answer_is_waited_for(api: FakeZaloApi, client: ZaloClient) -> None:
    api.slow("sendMessage", 0.5)
    await client.send_message(LAN, "Chậm nhưng tới.")
    assert api.texts(LAN) == ["Chậm nhưng tới."]


async def test_a_reset_token_and_no_token_in_any_log_or_exception(
    api: FakeZaloApi, client: ZaloClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await client.get_me()
    api.reset_token()
    with pytest.raises(ZaloUnauthorized) as refused:
        await client.send_message(LAN, "Chào")
    assert statuses(api, "sendMessage") == [401], "401 is final"
    secret_part = TOKEN.partition(":")[2]
    shown = [str(refused.value), repr(refused.value), repr(client)]
    shown += [r.getMessage() for r in caplog.records]
    assert any("HTTP Request" in line for line in shown), "httpx logged its requests"
    for line in shown:
        assert TOKEN not in line
        assert secret_part not in line


async def test_webhook_methods(api: FakeZaloApi, client: ZaloClient) -> None:
    info = await client.set_webhook("https://bot.example.vn/zalo/webhook", "s3cret-token")
    assert info.url == "https://bot.example.vn/zalo/webhook"
    assert (await client.get_webhook_info()).url == info.url
    with pytest.raises(ZaloClientError):  # getUpdates is refused while a webhook is set
        await client.get_updates(timeout=1)
    await client.delete_webhook()
    assert (await client.get_webhook_info()).url == ""
    with pytest.raises(ZaloClientError):
        await client.set_webhook("https://bot.example.vn/zalo/webhook", "short")


async def test_photo_and_typing(api: FakeZaloApi, client: ZaloClient) -> None:
    await client.send_chat_action(LAN)
    await client.send_photo(LAN, "https://example.vn/p.png", "Trang 1")
    assert api.sent(LAN, method="sendChatAction")[0].params["action"] == "typing"
    assert api.sent(LAN, method="sendPhoto")[0].params["caption"] == "Trang 1"


async def test_the_older_host_form_works_too(api: FakeZaloApi) -> None:
    """Both hosts use /bot<token>/<method>; a trailing slash in the setting is fine."""
    client = ZaloClient(TOKEN, api.url + "/")
    try:
        assert (await client.get_me())["account_type"] == "BASIC"
    finally:
        await client.close()


# --- the start-up check ----------------------------------------------------------------------


async def test_check_passes_with_a_good_token(api: FakeZaloApi) -> None:
    await check_zalo_api(api.url, TOKEN)


async def test_check_names_a_refused_token(api: FakeZaloApi) -> None:
    with pytest.raises(StartupFailure) as failure:
        await check_zalo_api(api.url, "999:wrong-token-value")
    assert failure.value.reason == "token_refused"
    line = cli_text.serve_failure(failure.value.reason, failure.value.details)
    assert "ZALO_BOT_TOKEN" in line
    assert "wrong-token-value" not in str(failure.value)


async def test_check_names_an_unreachable_server() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(StartupFailure) as failure:
        await check_zalo_api(f"http://127.0.0.1:{port}", TOKEN)
    assert failure.value.reason == "api_unreachable"
    line = cli_text.serve_failure(failure.value.reason, failure.value.details)
    assert "ZALO_API_URL" in line
    assert TOKEN not in line


async def test_check_names_a_server_that_is_not_zalo() -> None:
    async def page(request: web.Request) -> web.Response:
        return web.Response(text="<html>hello</html>", content_type="text/html")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", page)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        url = f"http://127.0.0.1:{runner.addresses[0][1]}"
        with pytest.raises(StartupFailure) as failure:
            await check_zalo_api(url, TOKEN)
    finally:
        await runner.cleanup()
    assert failure.value.reason == "not_bot_api"
    assert failure.value.details["what"] == "html"


async def test_check_refuses_an_api_url_that_is_not_http() -> None:
    with pytest.raises(StartupFailure) as failure:
        await check_zalo_api("bot-api.zaloplatforms.com", TOKEN)
    assert failure.value.reason == "api_url_invalid"
    assert "ZALO_API_URL" in cli_text.serve_failure("api_url_invalid", failure.value.details)
