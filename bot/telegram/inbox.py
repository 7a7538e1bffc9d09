"""Crash-safe long polling: an update is confirmed to Telegram only once it is recorded, and a
restart finishes every recorded update that was not finished.

aiogram's `start_polling` asks for the next batch (which confirms the last one: Telegram never
sends it again) while the handlers of the last one still run, so a process killed during a slow
`getFile` download or a report's rendering lost the update for good, unanswered. Here:

1. each batch from `getUpdates` is recorded in the inbox (`UpdateInbox.record`, one
   transaction) before the next `getUpdates` confirms it; if recording fails, the offset is not
   moved and Telegram sends the batch again;
2. each new update is handed to the real aiogram dispatch path (`Dispatcher.feed_update`), so
   routers, filters, middlewares and event isolation are aiogram's own: one user's updates run
   one at a time in the order they came (each update is its own task, created in order, and
   waits for its user's lock in that order), while other users go on meanwhile;
3. the message's transaction keeps its replies with the inbox entry
   (`ConversationService(keep_replies=True)`), so it commits with the effects;
4. once the handler returned (its replies sent), the entry is marked finished (with the others
   that finish within `FINISH_AFTER_S`, in one transaction).

At start-up, before polling, every unfinished entry is handed to the dispatcher again in arrival
order and waited for. An entry without kept replies is handled from scratch (download included:
nothing of it was stored). An entry with kept replies had its effects stored; the conversation
service's update claim says so and it answers with the kept replies instead of nothing, the
report rendered again from its kept data. So the effects of an update are applied exactly once
and its replies are sent at least once: a process killed between sending the last reply and
finishing the entry sends that update's replies again after the restart (the only duplicate,
and a harmless one). An entry that was taken up `MAX_ATTEMPTS` times (each time the process
died on it) is given up, so one poisonous update cannot keep the bot down: it is logged and the
user is told to send it again if nothing of it was stored.

On SIGINT or SIGTERM the loop stops asking for updates, gives the running handlers `GRACE_S`
seconds to finish and cancels the rest, which the next start takes up again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Sequence
from typing import Any, Protocol, TypeVar

from aiogram import Bot, Dispatcher
from aiogram.methods import GetUpdates, TelegramMethod
from aiogram.types import Update
from aiogram.utils.backoff import Backoff, BackoffConfig

from bot.telegram.mapping import from_callback, from_message
from bot.telegram.sender import TelegramSender
from conversations import catalogue as say
from conversations.messages import Outbound

T = TypeVar("T")
log = logging.getLogger(__name__)
POLLING_TIMEOUT_S = 30
GRACE_S = 10.0
"""How long a stop waits for running handlers (the test harness allows 15 s for a stop)."""
MAX_ATTEMPTS = 5
"""Times an update is taken up before it is given up (4 restarts in a row died on it)."""
PRUNE_EVERY_S = 3600.0
FINISH_AFTER_S = 0.02
"""Entries are marked finished together, this long after the first of them: one transaction
for the few that finish meanwhile (about five under the polling benchmark's load) instead of one
each. A kill in that window sends their replies again after the restart."""
BACKOFF = BackoffConfig(min_delay=1.0, max_delay=5.0, factor=1.3, jitter=0.1)
"""aiogram's polling backoff, for a Bot API or a database that does not answer."""


class UnfinishedUpdate(Protocol):
    """An inbox entry a stopped process left (`storage.inbox.Unfinished`)."""

    @property
    def update_id(self) -> str: ...
    @property
    def payload(self) -> str: ...
    @property
    def attempts(self) -> int: ...
    @property
    def handled(self) -> bool: ...


class UpdateInbox(Protocol):
    """Where updates are recorded before they are confirmed (`storage.inbox.SqlInbox`)."""

    async def record(self, updates: Sequence[tuple[str, str]]) -> set[str]:
        """Record `(update_id, payload JSON)` pairs at once; the ids that were new."""
        ...

    async def unfinished(self) -> Sequence[UnfinishedUpdate]:
        """The entries not finished, in arrival order, each counted as taken up once more."""
        ...

    async def finish(self, update_ids: Sequence[str]) -> None:
        """Their replies were sent: nothing to take up again."""
        ...

    async def prune(self) -> None:
        """Forget entries finished long enough ago that Telegram cannot send them again."""
        ...


class _Stopped(Exception):
    """SIGINT or SIGTERM came while waiting."""


class InboxPolling:
    def __init__(
        self,
        bot: Bot,
        dispatcher: Dispatcher,
        sender: TelegramSender,
        inbox: UpdateInbox,
        *,
        stop: asyncio.Event,
        polling_timeout: int = POLLING_TIMEOUT_S,
        grace_s: float = GRACE_S,
    ) -> None:
        self.bot = bot
        self.dispatcher = dispatcher
        self.sender = sender
        self.inbox = inbox
        self.stop = stop
        self.polling_timeout = polling_timeout
        self.grace_s = grace_s
        self.workflow: dict[str, Any] = {
            "dispatcher": dispatcher,
            "bots": (bot,),
            **dispatcher.workflow_data,
        }
        """What aiogram's `start_polling` passes to the dispatcher with every update."""
        self._tasks: set[asyncio.Task[None]] = set()
        self._finished: list[str] = []
        self._marking: asyncio.Task[None] | None = None

    async def run(self) -> None:
        """Finish what a stopped process left, then poll until `stop` is set."""
        await self.dispatcher.emit_startup(bot=self.bot, **self.workflow)
        try:
            await self._take_up_unfinished()
            await self._poll()
        except _Stopped:
            pass
        finally:
            await self._drain()
            await self.dispatcher.emit_shutdown(bot=self.bot, **self.workflow)

    # --- start-up ------------------------------------------------------------------------------

    async def _take_up_unfinished(self) -> None:
        entries = await self.inbox.unfinished()
        if not entries:
            return
        log.info("Telegram: taking up %d unfinished updates again", len(entries))
        for entry in entries:
            try:
                update = Update.model_validate_json(entry.payload, context={"bot": self.bot})
            except ValueError as error:  # recorded by a release whose models differed
                log.error("Telegram update %s unreadable, given up (%s)", entry.update_id, error)
                await self.inbox.finish([entry.update_id])
                continue
            if entry.attempts > MAX_ATTEMPTS:
                await self._give_up(entry, update)
            else:
                self._spawn(update, entry.update_id)
        while self._tasks:  # every one finished before polling again
            await self._until_stopped(asyncio.wait(set(self._tasks)))
        with contextlib.suppress(Exception):  # only housekeeping
            await self.inbox.prune()

    async def _give_up(self, entry: UnfinishedUpdate, update: Update) -> None:
        log.error(
            "Telegram update %s given up after %d attempts (the bot stopped on it each time)",
            entry.update_id,
            entry.attempts - 1,
        )
        inbound = None
        if update.message is not None:
            inbound = from_message(update.message, update.update_id)
        elif update.callback_query is not None:
            inbound = from_callback(update.callback_query, update.update_id)
        if inbound is not None and not entry.handled:  # nothing of it was stored
            error = Outbound(say.INTERNAL_ERROR, kind="error")
            try:
                await self.sender.send(inbound.chat_id, inbound.user_id, [error])
            except Exception as refused:  # only a courtesy: the start must go on
                log.warning("Telegram: could not tell the user (%s)", type(refused).__name__)
        await self.inbox.finish([entry.update_id])

    # --- polling -------------------------------------------------------------------------------

    async def _poll(self) -> None:
        get = GetUpdates(
            timeout=self.polling_timeout,
            allowed_updates=self.dispatcher.resolve_used_update_types(),
        )
        # As aiogram's polling: the request may take the long poll's time and the session's.
        request_timeout = int((self.bot.session.timeout or 0) + self.polling_timeout)
        backoff = Backoff(BACKOFF)
        loop = asyncio.get_running_loop()
        pruned = loop.time()
        while not self.stop.is_set():
            try:
                updates = await self._until_stopped(self.bot(get, request_timeout=request_timeout))
                fresh = await self._record(updates) if updates else set()
            except _Stopped:
                raise
            except Exception as error:  # Telegram or the database did not answer: ask again
                log.error("Telegram: updates not fetched or recorded (%s)", type(error).__name__)
                await self._until_stopped(backoff.asleep())
                continue
            backoff.reset()
            if updates:
                get.offset = updates[-1].update_id + 1  # confirmed by the next getUpdates
            for update in updates:
                update_id = str(update.update_id)
                if update_id in fresh:  # not a redelivery, nor the same update twice here
                    fresh.discard(update_id)
                    self._spawn(update, update_id)
            if loop.time() - pruned > PRUNE_EVERY_S:
                pruned = loop.time()
                with contextlib.suppress(Exception):
                    await self.inbox.prune()

    async def _record(self, updates: list[Update]) -> set[str]:
        """Record the batch exactly as it came (aiogram keeps fields it does not know)."""
        rows = [
            (str(u.update_id), u.model_dump_json(exclude_unset=True, by_alias=True))
            for u in updates
        ]
        return await self.inbox.record(rows)

    # --- handling ------------------------------------------------------------------------------

    def _spawn(self, update: Update, update_id: str) -> None:
        task = asyncio.create_task(self._handle(update, update_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _handle(self, update: Update, update_id: str) -> None:
        try:
            response = await self.dispatcher.feed_update(self.bot, update, **self.workflow)
            if isinstance(response, TelegramMethod):  # a handler's webhook-style answer
                await self.dispatcher.silent_call_request(self.bot, response)
        except Exception:  # as aiogram's polling: logged, and the update counts as handled
            log.exception("Telegram update %s failed", update_id)
        self._finished.append(update_id)
        if self._marking is None:
            self._marking = asyncio.create_task(self._mark_finished(FINISH_AFTER_S))

    async def _mark_finished(self, after_s: float) -> None:
        await asyncio.sleep(after_s)
        update_ids, self._finished, self._marking = self._finished, [], None
        try:
            await self.inbox.finish(update_ids)
        except Exception as error:
            log.warning(
                "Telegram updates %s not marked finished (%s): the next start sends their "
                "replies again",
                ", ".join(update_ids),
                type(error).__name__,
            )

    async def _drain(self) -> None:
        """Give running handlers `grace_s` to finish; cancel the rest (taken up next start);
        mark finished those that did."""
        if self._tasks:
            _, pending = await asyncio.wait(set(self._tasks), timeout=self.grace_s)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        if self._marking is not None:
            await self._marking

    async def _until_stopped(self, awaitable: Awaitable[T]) -> T:
        """`awaitable`'s result, or _Stopped (and it cancelled) once `stop` is set."""
        work = asyncio.ensure_future(awaitable)
        stopped = asyncio.ensure_future(self.stop.wait())
        try:
            await asyncio.wait({work, stopped}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopped.cancel()
        if not work.done():
            work.cancel()
            with contextlib.suppress(BaseException):
                await work
            raise _Stopped
        return work.result()
