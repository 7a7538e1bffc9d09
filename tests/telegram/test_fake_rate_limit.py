"""The fake Bot API's flood limits behave as Telegram's: the reminder tests and the delivery
benchmark rely on them to tell a paced sender from one that floods."""

from __future__ import annotations

import asyncio
import math
import time
from typing import Any

from aiohttp import ClientSession

from tests.telegram.fake_bot_api import TOKEN, FakeBotApi


async def _send(session: ClientSession, api: FakeBotApi, chat_id: int) -> dict[str, Any]:
    url = f"{api.url}/bot{TOKEN}/sendMessage"
    async with session.post(url, json={"chat_id": chat_id, "text": "Nhắc hạn"}) as response:
        body: dict[str, Any] = await response.json()
        return body


async def test_a_second_message_to_one_chat_within_a_second_is_refused(api: FakeBotApi) -> None:
    limit = api.limit_rate(overall=30, per_chat=1)
    async with ClientSession() as session:
        first = await _send(session, api, 501)
        second = await _send(session, api, 501)
        other = await _send(session, api, 502)
    assert first["ok"]
    assert other["ok"]
    assert second["error_code"] == 429
    assert second["parameters"]["retry_after"] >= 1
    assert limit.refused == 1
    assert len(api.sent(501)) == 1


async def test_more_than_the_overall_rate_in_one_second_is_refused(api: FakeBotApi) -> None:
    limit = api.limit_rate(overall=30, per_chat=1)
    async with ClientSession() as session:
        started = time.monotonic()
        answers = await asyncio.gather(*(_send(session, api, 1000 + n) for n in range(40)))
        seconds = time.monotonic() - started
    accepted = [a for a in answers if a["ok"]]
    refused = [a for a in answers if not a["ok"]]
    # 40 concurrent requests on loopback take milliseconds; on a machine so slow that they
    # spread over several seconds, each second may let 30 more through, and no more.
    assert len(accepted) <= 30 * math.ceil(max(seconds, 1.0))
    assert len(refused) == limit.refused == 40 - len(accepted)
    if seconds < 1.0:
        assert len(refused) >= 10
    assert all(a["error_code"] == 429 and a["parameters"]["retry_after"] >= 1 for a in refused)


async def test_without_a_limit_nothing_is_refused(api: FakeBotApi) -> None:
    async with ClientSession() as session:
        answers = [await _send(session, api, 77) for _ in range(5)]
    assert all(a["ok"] for a in answers)
