"""The Telegram channel's running parts: the aiogram `Bot` (the configured Bot API server,
requests without files sent as JSON by `JsonSession`), the sender and the dispatcher that
`bot.wiring` assembles around it."""

from __future__ import annotations

from dataclasses import dataclass

from aiogram import Bot, Dispatcher
from aiogram.client.telegram import TelegramAPIServer

from bot.telegram.sender import TelegramSender
from bot.telegram.session import JsonSession


def make_bot(token: str, api_url: str) -> Bot:
    session = JsonSession(api=TelegramAPIServer.from_base(api_url.rstrip("/")))
    return Bot(token, session=session)


@dataclass
class TelegramChannel:
    bot: Bot
    sender: TelegramSender
    """Replies and pushes (`Notifier`)."""
    dispatcher: Dispatcher
    webhook: bool
    """Webhook mode (else long polling), read once from the settings."""

    async def close(self) -> None:
        await self.bot.session.close()
