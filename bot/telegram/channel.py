"""The Telegram channel as `bot.serve` runs it (a `bot.channels.RunningChannel`).

Long polling (the default) runs the crash-safe inbox loop (`bot.telegram.inbox`) until stopped
and mounts nothing on the backend. Webhook mode mounts the webhook route; `start` (called once
the backend's port is open, since Telegram may post at once) announces the commands and
registers the webhook, and `run` only waits: the backend delivers the updates.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter

from bot.startup import StartupFailure
from bot.telegram.client import TelegramChannel
from bot.telegram.inbox import InboxPolling, UpdateInbox
from bot.telegram.polling import announce_commands
from bot.telegram.sender import TelegramSender
from bot.telegram.webhook import register_webhook, webhook_router
from conversations.messages import Channel

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WebhookSettings:
    url: str
    secret: str = field(repr=False)
    """Never in a repr (nor, through the redaction, in any output)."""


@dataclass
class RunningTelegram:
    parts: TelegramChannel
    inbox: UpdateInbox
    """The polling inbox (unused in webhook mode, which has none: Telegram keeps an update it
    got no answer for)."""
    webhook: WebhookSettings | None
    _routers: list[APIRouter] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.webhook is not None:
            self._routers = [
                webhook_router(self.parts.bot, self.parts.dispatcher, secret=self.webhook.secret)
            ]

    @property
    def name(self) -> Channel:
        return "telegram"

    @property
    def routers(self) -> Sequence[APIRouter]:
        return self._routers

    @property
    def notifier(self) -> TelegramSender:
        return self.parts.sender

    def _workflow(self) -> dict[str, Any]:
        dispatcher = self.parts.dispatcher
        return {"dispatcher": dispatcher, "bots": (self.parts.bot,), **dispatcher.workflow_data}

    async def start(self) -> None:
        bot, sender = self.parts.bot, self.parts.sender
        if self.webhook is None:
            removed = await sender.call(bot.delete_webhook, drop_pending_updates=False)
            if removed is None:  # dropped after the retries: polling would meet 409 forever
                raise StartupFailure("webhook_not_removed")
            await announce_commands(bot, sender)
            return
        await self.parts.dispatcher.emit_startup(bot=bot, **self._workflow())
        await register_webhook(bot, sender, url=self.webhook.url, secret=self.webhook.secret)

    async def run(self, stop: asyncio.Event) -> None:
        if self.webhook is not None:
            await stop.wait()
            return
        log.info("Telegram: long polling")
        parts = self.parts
        await InboxPolling(parts.bot, parts.dispatcher, parts.sender, self.inbox, stop=stop).run()

    async def close(self) -> None:
        try:
            if self.webhook is not None:
                await self.parts.dispatcher.emit_shutdown(bot=self.parts.bot, **self._workflow())
        finally:
            await self.parts.close()
