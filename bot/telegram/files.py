"""Downloading uploaded evidence from Telegram (getFile, then the file path)."""

from __future__ import annotations

import io

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramNetworkError, TelegramServerError
from aiohttp import ClientError

from conversations.messages import FileInfo
from conversations.ports import EvidenceRefused

DOWNLOAD_LIMIT = 20 * 1024 * 1024  # the public Bot API serves files up to 20 MB to bots
TOO_BIG = (
    "Telegram chỉ cho bot tải tệp đến 20 MB; hãy gửi bản nén nhỏ hơn, chia nhỏ tệp, hoặc gõ "
    "tên văn bản làm minh chứng."
)


NOT_RECEIVED = "Telegram không trả về tệp; hãy gửi lại."
DOWNLOAD_FAILED = "Không tải được tệp từ Telegram lúc này; hãy gửi lại sau ít phút."


class TelegramFiles:
    def __init__(self, bot: Bot, *, limit: int = DOWNLOAD_LIMIT) -> None:
        self.bot = bot
        self.limit = limit

    async def fetch(self, file: FileInfo) -> bytes:
        if file.size is not None and file.size > self.limit:
            raise EvidenceRefused(TOO_BIG)
        try:
            remote = await self.bot.get_file(file.file_id)
        except TelegramBadRequest as refused:  # “file is too big” when the size was not sent
            too_big = "too big" in str(refused.message).lower()
            raise EvidenceRefused(TOO_BIG if too_big else NOT_RECEIVED) from None
        if remote.file_size is not None and remote.file_size > self.limit:
            raise EvidenceRefused(TOO_BIG)
        if remote.file_path is None:
            raise EvidenceRefused(NOT_RECEIVED)
        buffer = io.BytesIO()
        try:
            await self.bot.download_file(remote.file_path, destination=buffer)
        except (ClientError, TelegramNetworkError, TelegramServerError, TimeoutError):
            raise EvidenceRefused(DOWNLOAD_FAILED) from None
        return buffer.getvalue()
