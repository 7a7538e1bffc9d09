"""Downloading uploaded evidence from Telegram (getFile, then the file path)."""

from __future__ import annotations

import io

from aiogram import Bot

from conversations.messages import FileInfo
from conversations.ports import EvidenceRefused

DOWNLOAD_LIMIT = 20 * 1024 * 1024  # the public Bot API serves files up to 20 MB to bots
TOO_BIG = (
    "Telegram chỉ cho bot tải tệp đến 20 MB; hãy gửi bản nén nhỏ hơn, chia nhỏ tệp, hoặc gõ "
    "tên văn bản làm minh chứng."
)


class TelegramFiles:
    def __init__(self, bot: Bot, *, limit: int = DOWNLOAD_LIMIT) -> None:
        self.bot = bot
        self.limit = limit

    async def fetch(self, file: FileInfo) -> bytes:
        if file.size is not None and file.size > self.limit:
            raise EvidenceRefused(TOO_BIG)
        remote = await self.bot.get_file(file.file_id)
        if remote.file_size is not None and remote.file_size > self.limit:
            raise EvidenceRefused(TOO_BIG)
        if remote.file_path is None:
            raise EvidenceRefused("Telegram không trả về tệp; hãy gửi lại.")
        buffer = io.BytesIO()
        await self.bot.download_file(remote.file_path, destination=buffer)
        return buffer.getvalue()
