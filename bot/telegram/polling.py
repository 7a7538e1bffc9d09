"""Long polling (the default without a webhook URL), and the command menu both modes set."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from aiogram import Bot, Dispatcher
from aiogram.types import BotCommand

from bot.startup import StartupFailure
from bot.telegram.inbox import InboxPolling, UpdateInbox
from bot.telegram.sender import TelegramSender
from conversations.commands import MENU

log = logging.getLogger(__name__)


async def announce_commands(bot: Bot, sender: TelegramSender) -> None:
    commands = [BotCommand(command=name, description=text) for name, text in MENU]
    await sender.call(bot.set_my_commands, commands=commands)


async def run_polling(
    bot: Bot, dispatcher: Dispatcher, sender: TelegramSender, inbox: UpdateInbox
) -> None:
    """Until SIGINT or SIGTERM, through the inbox (`bot.telegram.inbox`): no update is lost
    when the process is killed, whenever that happens."""
    removed = await sender.call(bot.delete_webhook, drop_pending_updates=False)
    if removed is None:  # dropped after the sender's retries: polling would meet 409 forever
        raise StartupFailure("webhook_not_removed")
    await announce_commands(bot, sender)
    log.info("Telegram: long polling")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    signals = (signal.SIGINT, signal.SIGTERM)
    for signum in signals:
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    try:
        await InboxPolling(bot, dispatcher, sender, inbox, stop=stop).run()
    finally:
        for signum in signals:
            with contextlib.suppress(NotImplementedError):
                loop.remove_signal_handler(signum)
