"""One Zalo event, from its arrival to its last reply: the part polling and the webhook share.

* Dedupe: Zalo has no offset, so getUpdates hands the same event out again, and a webhook may
  be retried. A replayed message_id seen lately is dropped here without touching the database;
  one seen longer ago is turned away by the service's processed-updates claim, which answers
  nothing for it.
* Order: one user's events are handled one at a time, in the order they arrived (a lock per
  user, taken in arrival order: asyncio's locks are fair); other users go on meanwhile.
* Metrics: each event is counted by outcome, and the time to its last reply observed.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Literal, Protocol

from bot.zalo.mapping import Direct, to_inbound
from bot.zalo.models import Update
from bot.zalo.sender import ZaloSender
from conversations.messages import Inbound, Outbound
from web import metrics

log = logging.getLogger(__name__)
CHANNEL = "zalo"
RECENT_IDS = 10_000
"""Message ids remembered for dedupe: far more than a replay window (events age out of
getUpdates within minutes)."""
Outcome = Literal["answered", "duplicate", "ignored", "failed"]


class Service(Protocol):
    """What the handler needs of `conversations.service.ConversationService`."""

    async def handle(
        self, inbound: Inbound, *, rendering: Callable[[], Awaitable[None]] | None = None
    ) -> list[Outbound]: ...


class RecentIds:
    """The last `size` ids seen, oldest forgotten first."""

    def __init__(self, size: int = RECENT_IDS) -> None:
        self.size = size
        self._ids: OrderedDict[str, None] = OrderedDict()

    def add(self, key: str) -> bool:
        """False if `key` was seen already."""
        if key in self._ids:
            return False
        self._ids[key] = None
        if len(self._ids) > self.size:
            self._ids.popitem(last=False)
        return True

    def forget(self, key: str) -> None:
        self._ids.pop(key, None)


class UserLocks:
    """An asyncio lock per user, dropped once nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    async def run(self, user: str, work: Callable[[], Awaitable[Outcome]]) -> Outcome:
        lock, users = self._locks.get(user, (asyncio.Lock(), 0))
        self._locks[user] = (lock, users + 1)
        try:
            async with lock:
                return await work()
        finally:
            lock, users = self._locks[user]
            if users <= 1:
                del self._locks[user]
            else:
                self._locks[user] = (lock, users - 1)


class ZaloHandler:
    def __init__(self, service: Service, sender: ZaloSender) -> None:
        self.service = service
        self.sender = sender
        self.recent = RecentIds()
        self.locks = UserLocks()

    def key(self, update: Update) -> str | None:
        """The dedupe key (None: the event cannot be told apart from another)."""
        message = update.message
        return None if message is None else message.message_id

    async def handle(self, update: Update) -> Outcome:
        """Handle one event; never raises (a failure is logged and counted)."""
        started = time.monotonic()
        key = self.key(update)
        if key is not None and not self.recent.add(key):
            metrics.count_update(CHANNEL, "duplicate")
            return "duplicate"
        message = update.message
        user = message.sender.id if message is not None else ""
        try:
            outcome = await self.locks.run(user, lambda: self._handle(update))
        except Exception:
            log.exception("Zalo: an event could not be handled")
            if key is not None:
                self.recent.forget(key)  # a redelivery may succeed
            outcome = "failed"
        metrics.count_update(CHANNEL, outcome)
        if outcome == "answered":
            metrics.observe_reply(CHANNEL, time.monotonic() - started)
        return outcome

    async def _handle(self, update: Update) -> Outcome:
        mapped = to_inbound(update)
        if mapped is None:
            return "ignored"
        if isinstance(mapped, Direct):
            sent = await self.sender.send_text(mapped.chat_id, mapped.text)
            return "answered" if sent else "failed"
        chat_id = mapped.chat_id

        async def rendering() -> None:
            await self.sender.typing(chat_id)

        replies = await self.service.handle(mapped, rendering=rendering)
        if not replies:
            return "duplicate"  # claimed before (the service answers nothing for it)
        sent = await self.sender.send(chat_id, replies)
        return "answered" if sent else "failed"
