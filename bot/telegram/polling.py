"""Long polling (the default without a webhook URL), and the command menu both modes set."""

from __future__ import annotations

import logging

from aiogram import Bot, Dispatcher
from aiogram.types import BotCommand

from bot.telegram.sender import TelegramSender

log = logging.getLogger(__name__)
COMMANDS = (
    ("start", "Bắt đầu: tạo hoặc tham gia đơn vị"),
    ("danhgia", "Đánh giá, tiếp tục đúng chỗ đang dừng"),
    ("ketqua", "Kết quả hiện tại và còn thiếu gì"),
    ("baocao", "Báo cáo tự đánh giá"),
    ("sua", "Sửa câu trả lời một chỉ tiêu, ví dụ /sua 2.4"),
    ("hoi", "Hỏi nhanh, ví dụ /hoi cần gì để đạt mức 2"),
    ("huongdan", "Hướng dẫn sử dụng"),
    ("huy", "Dừng câu hỏi hiện tại"),
)


async def announce_commands(bot: Bot, sender: TelegramSender) -> None:
    commands = [BotCommand(command=name, description=text) for name, text in COMMANDS]
    await sender.call(bot.set_my_commands, commands=commands)


async def run_polling(bot: Bot, dispatcher: Dispatcher, sender: TelegramSender) -> None:
    """Until SIGINT or SIGTERM (aiogram handles both and stops polling cleanly)."""
    await sender.call(bot.delete_webhook, drop_pending_updates=False)
    await announce_commands(bot, sender)
    log.info("Telegram: long polling")
    await dispatcher.start_polling(bot, polling_timeout=30, handle_signals=True)
