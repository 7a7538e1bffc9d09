"""Pacing pushes to a channel's limits: at most `rate` messages a second overall and
`per_chat` a second to one chat (Telegram: 30/s and 1/s; we default to 25/s for headroom),
and a flood limit (429 `retry_after`) pauses the whole channel, since Telegram's flood control
counts per bot, not per chat.

Each send reserves the next free moment (a GCRA, "virtual scheduling": moments spaced 1/rate
apart, and 1/per_chat apart within a chat) synchronously, then sleeps until it: reservations
follow the order sends asked for them, and sends run concurrently, so a channel's rate is
reached even though one send takes tens of milliseconds over real HTTP (sequential sends at
50 ms each cannot do better than 20/s). A reservation made before a pause is taken again
after it. The clock here is the event loop's monotonic one: limits are about real seconds,
whatever the reminders' clock says.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

CHAT_MARGIN_S = 0.05
"""Added to the per-chat interval: a request that left 1.00 s after the previous one may
arrive 0.99 s after it (measured jitter on loopback is a few ms; 50 ms costs nothing)."""
_PRUNE_AT = 10_000


@dataclass(frozen=True)
class PacingLimits:
    rate: float = 25.0
    """Messages per second over all chats of one channel (`DVHT_PUSH_RATE`)."""
    per_chat: float = 1.0
    """Messages per second to one chat (`DVHT_PUSH_RATE_PER_CHAT`)."""

    def __post_init__(self) -> None:
        if self.rate <= 0 or self.per_chat <= 0:
            raise ValueError("push rates must be positive")


class Pacing:
    """The pacer of one process, for every channel it sends to."""

    def __init__(
        self,
        limits: PacingLimits = PacingLimits(),
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.limits = limits
        self._monotonic = monotonic
        self._sleep = sleep
        self._next: dict[str, float] = {}
        self._chat_next: dict[tuple[str, str], float] = {}
        self._paused: dict[str, float] = {}
        self.pauses = 0
        """How many flood limits paused a channel (for logs and the benchmark)."""

    async def acquire(self, channel: str, chat_id: str) -> None:
        """Wait for this chat's next moment on this channel."""
        key = (channel, chat_id)
        while True:
            now = self._monotonic()
            start = max(
                now,
                self._next.get(channel, 0.0),
                self._chat_next.get(key, 0.0),
                self._paused.get(channel, 0.0),
            )
            self._next[channel] = start + 1.0 / self.limits.rate
            self._chat_next[key] = start + 1.0 / self.limits.per_chat + CHAT_MARGIN_S
            if len(self._chat_next) > _PRUNE_AT:
                self._prune(now)
            if start > now:
                await self._sleep(start - now)
            if self._paused.get(channel, 0.0) <= self._monotonic():
                return

    def pause(self, channel: str, seconds: float) -> None:
        """A flood limit: nothing more to this channel for `seconds`."""
        until = self._monotonic() + max(seconds, 0.0)
        if until > self._paused.get(channel, 0.0):
            self._paused[channel] = until
            self.pauses += 1

    def _prune(self, now: float) -> None:
        self._chat_next = {k: t for k, t in self._chat_next.items() if t > now}
