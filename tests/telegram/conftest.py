"""The fixtures the in-process Telegram tests share: a fake Bot API server over real HTTP
(`fake_bot_api`) and an aiogram bot pointed at it. Tests that drive a `dvht serve` process
define their own, module-wide `api`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from aiogram import Bot

from bot.telegram.client import make_bot
from tests.telegram.fake_bot_api import TOKEN, FakeBotApi


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    with FakeBotApi() as fake:
        yield fake


@pytest.fixture
async def bot(api: FakeBotApi) -> AsyncIterator[Bot]:
    bot = make_bot(TOKEN, api.url + "/")
    try:
        yield bot
    finally:
        await bot.session.close()
