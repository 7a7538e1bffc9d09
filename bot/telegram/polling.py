"""Long polling (the default without a webhook URL), and the command menu both modes set."""

from __future__ import annotations

import logging

from aiogram import Bot, Dispatcher
from aiogram.types import BotCommand

from bot.telegram.sender import TelegramSender
from conversations.commands import MENU

log = logging.getLogger(__name__)


async def announce_commands(bot: Bot, sender: TelegramSender) -> None:
    commands = [BotCommand(command=name, description=text) for name, text in MENU]
    await sender.call(bot.set_my_commands, commands=commands)


async def run_polling(bot: Bot, dispatcher: Dispatcher, sender: TelegramSender) -> None:
    """Until SIGINT or SIGTERM (aiogram handles both and stops polling cleanly)."""
    await sender.call(bot.delete_webhook, drop_pending_updates=False)
    await announce_commands(bot, sender)
    log.info("Telegram: long polling")
    await dispatcher.start_polling(bot, polling_timeout=30, handle_signals=True)
