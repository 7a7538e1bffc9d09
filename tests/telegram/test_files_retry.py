"""Downloading evidence through a Bot API that fails now and then (the fake's fault injection,
over real HTTP): getFile and the download are retried with backoff like every other call;
a refusal is not retried; after the last attempt the user gets one sentence."""

from __future__ import annotations

import time

import pytest
from aiogram import Bot

from bot.telegram.files import DOWNLOAD_FAILED, NOT_RECEIVED, TelegramFiles
from bot.telegram.sender import ATTEMPTS
from conversations.messages import FileInfo
from conversations.ports import EvidenceRefused
from tests.telegram.fake_bot_api import FakeBotApi

BACKOFF_S = 0.05
PDF = b"%PDF-1.4\n" + bytes(range(256)) * 8


def files(bot: Bot) -> TelegramFiles:
    return TelegramFiles(bot, backoff_s=BACKOFF_S)


def info(file_id: str) -> FileInfo:
    return FileInfo(file_id=file_id, kind="document", file_name="ke-hoach.pdf", size=len(PDF))


def statuses(api: FakeBotApi) -> list[int]:
    return [call.status for call in api.calls_of("getFile")]


async def test_get_file_server_errors_are_retried_with_backoff(api: FakeBotApi, bot: Bot) -> None:
    api.register_file("BQACretry", PDF)
    api.fail("getFile", 502, times=1)
    api.fail("getFile", 500, times=1)
    assert await files(bot).fetch(info("BQACretry")) == PDF
    assert statuses(api) == [502, 500, 200]
    first, second, third = api.calls_of("getFile")
    # The waits grow: 0.05 s, then 0.1 s (loose lower bounds only: the machine may be slow).
    assert second.at - first.at >= BACKOFF_S * 0.8
    assert third.at - second.at >= 2 * BACKOFF_S * 0.8
    assert len(api.downloads) == 1


async def test_get_file_flood_limit_is_waited_out(api: FakeBotApi, bot: Bot) -> None:
    api.register_file("BQACflood", PDF)
    api.fail("getFile", 429, retry_after=1)
    started = time.monotonic()
    assert await files(bot).fetch(info("BQACflood")) == PDF
    assert statuses(api) == [429, 200]
    assert time.monotonic() - started >= 0.9


async def test_get_file_that_keeps_failing_tells_the_user_once(api: FakeBotApi, bot: Bot) -> None:
    api.register_file("BQACdown", PDF)
    api.fail("getFile", 500, times=None)
    with pytest.raises(EvidenceRefused) as refused:
        await files(bot).fetch(info("BQACdown"))
    assert refused.value.reason == DOWNLOAD_FAILED
    assert statuses(api) == [500] * ATTEMPTS
    assert api.downloads == []


async def test_a_refused_get_file_is_not_retried(api: FakeBotApi, bot: Bot) -> None:
    with pytest.raises(EvidenceRefused) as refused:
        await files(bot).fetch(info("BQACunknown"))  # never registered: 400 invalid file_id
    assert refused.value.reason == NOT_RECEIVED
    assert statuses(api) == [400]


async def test_a_download_that_fails_once_is_retried(api: FakeBotApi, bot: Bot) -> None:
    remote = api.register_file("BQACflaky", PDF, download_failures=2)
    assert await files(bot).fetch(info("BQACflaky")) == PDF
    assert api.downloads == [remote.file_path] * 3
    assert statuses(api) == [200], "getFile is asked once; only the download is repeated"


async def test_a_missing_download_is_not_retried(api: FakeBotApi, bot: Bot) -> None:
    api.register_file("BQACgone", PDF, download_status=404)
    with pytest.raises(EvidenceRefused) as refused:
        await files(bot).fetch(info("BQACgone"))
    assert refused.value.reason == DOWNLOAD_FAILED
    assert len(api.downloads) == 1
