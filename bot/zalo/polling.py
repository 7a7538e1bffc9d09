"""Long polling (the default without a webhook): getUpdates in a loop until stopped.

Each call brings at most one event (there is no offset: events come again until they age out,
and the handler drops the replays). Each event is handled as its own task so one user's slow
report does not hold up the others; the handler keeps one user's events in order. While events
are queued the service answers at once, so the loop keeps a floor of `FLOOR_S` between polls
that brought nothing or failed, as the SDKs measured against the service do; a quota refusal
or a server error backs off further, up to `MAX_BACKOFF_S`. A 401 (the token was reset) stops
the loop: the channel has reported it, and the rest of the process goes on serving.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random

from bot.zalo.client import POLL_TIMEOUT_S, ZaloClient, ZaloError, ZaloUnauthorized
from bot.zalo.handler import ZaloHandler
from bot.zalo.models import Update

log = logging.getLogger(__name__)
FLOOR_S = 1.0
MAX_BACKOFF_S = 30.0
GRACE_S = 10.0
"""How long a stop waits for the events being handled."""


class ZaloPolling:
    def __init__(
        self,
        client: ZaloClient,
        handler: ZaloHandler,
        *,
        stop: asyncio.Event,
        revoked: asyncio.Event,
        poll_timeout: int = POLL_TIMEOUT_S,
        floor_s: float = FLOOR_S,
        grace_s: float = GRACE_S,
    ) -> None:
        self.client = client
        self.handler = handler
        self.stop = stop
        self.revoked = revoked
        """Set by the channel when the token was refused (401): polling ends."""
        self.poll_timeout = poll_timeout
        self.floor_s = floor_s
        self.grace_s = grace_s
        self._tasks: set[asyncio.Task[object]] = set()

    async def run(self) -> None:
        failures = 0
        try:
            while not self.stop.is_set() and not self.revoked.is_set():
                try:
                    updates = await self._poll()
                except ZaloUnauthorized:
                    raise
                except ZaloError as error:
                    failures += 1
                    wait = min(MAX_BACKOFF_S, self.floor_s * 2**failures)
                    log.warning("Zalo getUpdates failed (%s); next poll in %.0f s", error, wait)
                    await self._pause(wait * random.uniform(0.75, 1.0))
                    continue
                if updates is None:  # stopped meanwhile
                    break
                failures = 0
                for update in updates:
                    task = asyncio.create_task(self.handler.handle(update))
                    self._tasks.add(task)
                    task.add_done_callback(self._tasks.discard)
                if not updates:
                    await self._pause(self.floor_s)
        finally:
            await self._drain()

    async def _poll(self) -> list[Update] | None:
        """One getUpdates, abandoned (None) as soon as `stop` or `revoked` is set."""
        polling = asyncio.ensure_future(self.client.get_updates(self.poll_timeout))
        stopping = asyncio.ensure_future(self.stop.wait())
        revoking = asyncio.ensure_future(self.revoked.wait())
        try:
            await asyncio.wait({polling, stopping, revoking}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in (stopping, revoking):
                waiter.cancel()
        if not polling.done():
            polling.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await polling
            return None
        return list(polling.result())

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.stop.wait(), seconds)

    async def _drain(self) -> None:
        if not self._tasks:
            return
        _done, pending = await asyncio.wait(set(self._tasks), timeout=self.grace_s)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending)
