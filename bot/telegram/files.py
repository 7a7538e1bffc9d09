"""Downloading uploaded evidence from Telegram (getFile, then the file path).

Both requests are retried as the sender retries every other Bot API call
(`bot.telegram.sender`): a flood limit (429) is waited out, a server error (5xx), a network
error or a timeout is tried again after 0.5 s, 1 s, then 2 s. A refusal (400: no such file, too
big; 404 on the download) is final. After the last attempt the user is told to send the file
again, in one sentence.
"""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiohttp import ClientError, ClientResponseError

from bot.telegram.sender import ATTEMPTS, BACKOFF_S
from conversations.messages import FileInfo
from conversations.ports import EvidenceRefused

T = TypeVar("T")
log = logging.getLogger(__name__)
DOWNLOAD_LIMIT = 20 * 1024 * 1024  # the public Bot API serves files up to 20 MB to bots
TOO_BIG = (
    "Telegram chỉ cho bot tải tệp đến 20 MB; hãy gửi bản nén nhỏ hơn, chia nhỏ tệp, hoặc gõ "
    "tên văn bản làm minh chứng."
)


NOT_RECEIVED = "Telegram không trả về tệp; hãy gửi lại."
DOWNLOAD_FAILED = "Không tải được tệp từ Telegram lúc này; hãy gửi lại sau ít phút."


class TelegramFiles:
    def __init__(
        self, bot: Bot, *, limit: int = DOWNLOAD_LIMIT, backoff_s: float = BACKOFF_S
    ) -> None:
        self.bot = bot
        self.limit = limit
        self.backoff_s = backoff_s

    async def fetch(self, file: FileInfo) -> bytes:
        if file.size is not None and file.size > self.limit:
            raise EvidenceRefused(TOO_BIG)
        try:
            remote = await self._retried("getFile", lambda: self.bot.get_file(file.file_id))
        except TelegramBadRequest as refused:  # “file is too big” when the size was not sent
            too_big = "too big" in str(refused.message).lower()
            raise EvidenceRefused(TOO_BIG if too_big else NOT_RECEIVED) from None
        if remote.file_size is not None and remote.file_size > self.limit:
            raise EvidenceRefused(TOO_BIG)
        if remote.file_path is None:
            raise EvidenceRefused(NOT_RECEIVED)
        path = remote.file_path
        try:
            return await self._retried("file download", lambda: self._download(path))
        except ClientError:  # a refusal (404…), not worth another attempt
            raise EvidenceRefused(DOWNLOAD_FAILED) from None

    async def _download(self, path: str) -> bytes:
        buffer = io.BytesIO()  # a fresh one each attempt: a broken one may hold half a file
        await self.bot.download_file(path, destination=buffer)
        return buffer.getvalue()

    async def _retried(self, what: str, request: Callable[[], Awaitable[T]]) -> T:
        """`request()` with the sender's retries; DOWNLOAD_FAILED after the last attempt."""
        for attempt in range(1, ATTEMPTS + 1):
            wait = self.backoff_s * 2 ** (attempt - 1)
            try:
                return await request()
            except TelegramRetryAfter as flood:
                wait, reason = float(flood.retry_after), "429"
            except (TelegramServerError, TelegramNetworkError, TimeoutError) as error:
                reason = type(error).__name__
            except ClientResponseError as error:
                if error.status < 500:
                    raise
                reason = str(error.status)
            except ClientError as error:  # the connection broke
                reason = type(error).__name__
            log.warning("Bot API %s failed (%s), attempt %d", what, reason, attempt)
            if attempt < ATTEMPTS:
                await asyncio.sleep(wait)
        log.error("Bot API %s failed %d times; the user is asked to send again", what, ATTEMPTS)
        raise EvidenceRefused(DOWNLOAD_FAILED)
