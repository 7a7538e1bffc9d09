"""What `bot.serve` needs of a running chat channel (Telegram, Zalo), whichever way its updates
arrive (long polling, or a webhook on the HTTP backend)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from conversations.messages import Channel
from conversations.ports import Notifier

if TYPE_CHECKING:
    from fastapi import APIRouter


class RunningChannel(Protocol):
    @property
    def name(self) -> Channel: ...

    @property
    def routers(self) -> Sequence[APIRouter]:
        """Mounted on the HTTP backend (the channel's webhook); empty when it polls."""
        ...

    @property
    def notifier(self) -> Notifier:
        """Pushes (reminders) to this channel's chats."""
        ...

    async def start(self) -> None:
        """Once the backend's port is open: register the webhook (the service may post at
        once), announce commands."""
        ...

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until `stop` is set; a webhook channel just waits for it."""
        ...

    async def close(self) -> None: ...
