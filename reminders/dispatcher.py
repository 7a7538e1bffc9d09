"""The dispatcher: takes due reminders from the table with a lease, decides what each still
deserves, pushes it through its channel's `Notifier`, paced, and records what became of it.

**The table is the source of truth.** A reminder is planned → claimed (lease) → sent, or
skipped with a reason, or planned again for a later attempt, or failed after the last one with
its error. A dispatcher that dies leaves its claims to run out; the next pass (of any
dispatcher) takes them again. Nothing is held in memory that a restart would lose.

**Exactly once, except one crash window.** A reminder is marked sent in its own transaction
right after the channel accepted it. A crash between the channel's answer and that commit
(milliseconds) leaves the row claimed, and once its lease runs out it is sent again: at most
one duplicate per reminder per crash, never a loss. Nothing narrower is possible without the
channel's cooperation (Telegram has no idempotency key for sendMessage).

**What a due reminder still deserves**, decided at send time, not at planning time: after
downtime only the most recent due reminder of a deadline goes to each chat (older ones are
skipped "superseded"), none for a deadline already past ("past"), none whose deadline moved
("moved"), none to a unit that submitted ("submitted"), to someone who opted out
("opted_out"; broadcasts still go, as the opt-out covers deadline reminders only) or who
blocked the bot ("unreachable"). In quiet hours and on holidays nothing is claimed: the due
reminders wait for the next allowed moment, where the superseding rule applies again.

**Notices** (kind "notice", issue 15: a dossier submitted, returned or recognised) are the
exception: the people concerned are waiting for the office's word, so a notice is claimed in
quiet hours and on holidays too, and goes to who turned reminders off (/tatnhacnho covers the
deadline pushes only); it is still paced and retried like any reminder. Latency: a running
dispatcher looks at the table at least every `policy.interval` (60 s by default); `nudge()`
(called by whoever queued a notice in the same process) makes it look at once.

**Outcomes**: "sent"; "blocked" → skipped "unreachable" and the chat marked unreachable;
"retry_after" → the channel pauses for that long and the reminder is planned again then (the
claim does not count as an attempt); "failed" (5xx and network errors the sender already
retried, a refused request) → planned again after an exponential backoff, failed for good
after `max_attempts` claims with the last error.

Every moment comes from the injected clock: due, lease, next attempt. Pacing (real seconds)
is `reminders.pacing`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from conversations.context import assessment_of
from conversations.messages import Attachment, Outbound
from conversations.ports import Delivery, Notifier, ReportRenderer
from dvht_core import calendar, vietnam_time
from dvht_core.loader import rulebook_for
from reminders import compose, messages
from reminders.pacing import Pacing
from reminders.planner import (
    BROADCAST_KIND,
    DOSSIER_KINDS_PAST_AFTER_DEADLINE,
    EXPIRY_KIND,
    NOTICE_KIND,
    REVIEWER_KIND,
    Planner,
)
from reminders.ports import (
    Claimed,
    Clock,
    Counts,
    ProgressSource,
    ReminderStore,
    Scope,
    Window,
)
from reminders.progress import UnitProgress

log = logging.getLogger(__name__)
CAPTION_LIMIT = 1024
"""Telegram's limit on a document's caption."""


@dataclass(frozen=True)
class DispatchPolicy:
    batch: int = 100
    """Reminders claimed per pass: 4 s of sending at 25/s, well inside the lease."""
    lease: dt.timedelta = dt.timedelta(minutes=5)
    """How long a claim holds before another dispatcher may take the reminder again."""
    max_attempts: int = 5
    """Claims that ended in failure before a reminder is given up (`DVHT_REMINDER_ATTEMPTS`)."""
    backoff: dt.timedelta = dt.timedelta(minutes=1)
    """The first retry's delay after a failure, doubled at each further one."""
    interval: dt.timedelta = dt.timedelta(seconds=60)
    """The longest a running dispatcher waits between two looks at the table."""
    plan_every: dt.timedelta = dt.timedelta(minutes=15)
    """How often a running dispatcher plans again (a deadline an office moved)."""


class Dispatcher:
    def __init__(
        self,
        store: ReminderStore,
        notifiers: Mapping[str, Notifier],
        clock: Clock,
        *,
        pacing: Pacing | None = None,
        progress: ProgressSource | None = None,
        window: Window | None = None,
        policy: DispatchPolicy = DispatchPolicy(),
        planner: Planner | None = None,
        reports: ReportRenderer | None = None,
        scope: Scope | None = None,
        buttons: frozenset[str] = frozenset({"telegram"}),
        on_result: Callable[[Claimed, str], None] | None = None,
    ) -> None:
        """`window` None: no quiet hours (the console, whose user is at the terminal).
        `scope`: the channels of `notifiers` by default. `buttons`: the channels that show
        buttons. `on_result(reminder, outcome)` after each reminder is settled (a progress
        bar)."""
        self.store = store
        self.notifiers = dict(notifiers)
        self.clock = clock
        self.pacing = pacing
        self.progress = progress
        self.window = window
        self.policy = policy
        self.planner = planner
        self.reports = reports
        self.scope = scope or Scope(channels=tuple(sorted(self.notifiers)))
        self.buttons = buttons
        self.on_result = on_result
        self._rendered: dict[int, Attachment] = {}
        """This pass's rendered reports, by assessment."""
        self._nudged = asyncio.Event()
        """Set by `nudge`: a notice was queued, the running dispatcher looks at once."""

    def nudge(self) -> None:
        """A notice was just queued (in this process): `run` looks at the table now rather
        than at its next scheduled look. Safe to call from the event loop's thread only."""
        self._nudged.set()

    def _scope_now(self, now: dt.datetime) -> Scope:
        """What may be claimed at `now`: everything in scope, or in quiet hours and on
        holidays the notices alone."""
        if self.window is None or self.window.allowed(now):
            return self.scope
        return replace(self.scope, kinds=(NOTICE_KIND,))

    # --- one pass --------------------------------------------------------------------------

    async def run_once(self) -> Counts:
        """Claim one batch of due reminders and settle every one of them."""
        counts = Counts()
        now = self.clock.now()
        scope = self._scope_now(now)
        if scope is self.scope:
            counts.skip("superseded", await self.store.supersede(now=now))
        claimed = await self.store.claim(
            now=now, lease_until=now + self.policy.lease, limit=self.policy.batch, scope=scope
        )
        counts.claimed = len(claimed)
        if not claimed:
            return counts
        today = vietnam_time.today(now)
        sendable: list[Claimed] = []
        skipped: dict[str, list[Claimed]] = {}
        for reminder in claimed:
            reason = self._skip_reason(reminder, today)
            if reason is None:
                sendable.append(reminder)
            else:
                skipped.setdefault(reason, []).append(reminder)
        for reason, reminders in skipped.items():
            await self.store.mark_skipped([r.id for r in reminders], reason=reason)
            counts.skip(reason, len(reminders))
            for reminder in reminders:
                self._report(reminder, "skipped")
        self._rendered = {}
        composed = await self._compose(sendable, today)
        await asyncio.gather(*(self._deliver(r, m, counts) for r, m in composed))
        return counts

    def _skip_reason(self, reminder: Claimed, today: dt.date) -> str | None:
        kind = reminder.kind
        if reminder.channel not in self.notifiers:
            return "no_channel"
        if not reminder.reachable:
            return "unreachable"
        if kind == NOTICE_KIND:
            return None  # the office's word about one's own dossier: always delivered
        if reminder.opted_out:
            return "opted_out"  # /tatnhacnho: no reminders and no announcements (issue 13, 6)
        if kind == BROADCAST_KIND:
            return None
        dossier = kind.startswith(DOSSIER_KINDS_PAST_AFTER_DEADLINE)
        if dossier and kind != REVIEWER_KIND and reminder.submitted:
            return "submitted"
        deadline = reminder.deadline_on
        if deadline is not None and (dossier or kind == EXPIRY_KIND) and today >= deadline:
            return "past"  # “trước ngày”: on the deadline itself it is too late
        if dossier and kind != REVIEWER_KIND and reminder.year is not None:
            office = reminder.office_deadline
            effective = calendar.effective_deadline(reminder.year, [office] if office else [])
            if deadline != effective:
                return "moved"
        return None

    async def _compose(
        self, reminders: Sequence[Claimed], today: dt.date
    ) -> list[tuple[Claimed, list[Outbound] | Exception]]:
        """Each reminder's push, from the progress of its unit read now for the whole batch."""
        progress: dict[tuple[int, int], UnitProgress] = {}
        reviewers: dict[int, list[UnitProgress]] = {}
        if self.progress is not None:
            by_year: dict[int, set[int]] = {}
            for r in reminders:
                if r.unit_id is not None and r.year is not None and r.kind != NOTICE_KIND:
                    by_year.setdefault(r.year, set()).add(r.unit_id)
            scopes: dict[int, list[int]] = {}
            for r in reminders:
                if r.kind == REVIEWER_KIND and r.year is not None:
                    scopes[r.id] = await self.store.reviewer_units(r.person_id, r.year)
                    by_year.setdefault(r.year, set()).update(scopes[r.id])
            for year, unit_ids in by_year.items():
                loaded = await self.progress.load(sorted(unit_ids), year)
                progress.update({(year, u): p for u, p in loaded.items()})
            for r in reminders:
                if r.id in scopes:
                    found = [progress.get((r.year or 0, u)) for u in scopes[r.id]]
                    reviewers[r.id] = [p for p in found if p is not None]
        out: list[tuple[Claimed, list[Outbound] | Exception]] = []
        for r in reminders:
            own = {u: p for (year, u), p in progress.items() if year == r.year and u == r.unit_id}
            try:
                pushed = messages.messages_for(
                    r,
                    progress=own,
                    reviewer_units=reviewers.get(r.id, ()),
                    today=today,
                    buttons=r.channel in self.buttons,
                )
                unit = own.get(r.unit_id) if r.unit_id is not None else None
                if unit is not None:
                    pushed = await self._with_report(r, pushed, unit, today)
                out.append((r, pushed))
            except Exception as error:  # a reminder that cannot be worded fails alone
                log.exception("reminder %d (%s) could not be composed", r.id, r.kind)
                out.append((r, error))
        return out

    async def _with_report(
        self, reminder: Claimed, pushed: list[Outbound], unit: UnitProgress, today: dt.date
    ) -> list[Outbound]:
        """A unit that has answered everything but not submitted gets its report with the
        member's push (“đã xong — hãy nộp hồ sơ”), when a renderer is wired: the PDF rides on
        the one message (its caption holds 1,024 characters; a longer text goes alone, and
        /baocao sends the report). Rendered once per unit and pass."""
        last = pushed[-1] if pushed else None
        if (
            self.reports is None
            or last is None
            or len(last.text) > CAPTION_LIMIT
            or not messages.is_member_kind(reminder.kind)
            or not compose.finished(unit)
        ):
            return pushed
        record = unit.assessment
        pdf = self._rendered.get(record.id)
        if pdf is None:
            rulebook = rulebook_for(record.ruleset_id, record.ruleset_version)
            data = self.reports.build(rulebook, assessment_of(record), today=today)
            files = await self.reports.render(data)
            names: dict[str, str] = data.get("files") or {}
            name = names.get("pdf", "bao-cao-tu-danh-gia.pdf")
            pdf = self._rendered[record.id] = Attachment(name, "application/pdf", files["pdf"])
        return [*pushed[:-1], replace(last, document=pdf)]

    async def _deliver(
        self, reminder: Claimed, pushed: list[Outbound] | Exception, counts: Counts
    ) -> None:
        error: str | None = None
        if isinstance(pushed, Exception):
            delivery, error = Delivery("failed"), f"composing: {type(pushed).__name__}"
        else:
            notifier = self.notifiers[reminder.channel]
            if self.pacing is not None:
                await self.pacing.acquire(reminder.channel, reminder.chat_id)
            try:
                delivery = await notifier.push(reminder.chat_id, pushed)
            except Exception as failure:  # the channel's own bug: this reminder fails alone
                log.exception("pushing reminder %d failed", reminder.id)
                delivery, error = Delivery("failed"), type(failure).__name__
        now = self.clock.now()
        if delivery.status == "sent":
            await self.store.mark_sent(reminder.id, at=now)
            counts.sent += 1
        elif delivery.status == "blocked":
            await self.store.mark_skipped([reminder.id], reason="unreachable")
            await self.store.set_unreachable(reminder.identity_id)
            counts.skip("unreachable")
        elif delivery.status == "retry_after":
            seconds = max(delivery.retry_after_s or 1.0, 0.0)
            if self.pacing is not None:
                self.pacing.pause(reminder.channel, seconds)
            until = now + dt.timedelta(seconds=seconds)
            await self.store.postpone(reminder.id, until=until, attempt=False)
            counts.retried += 1
        elif reminder.attempts >= self.policy.max_attempts:
            await self.store.mark_failed(
                reminder.id, error=error or f"the channel failed {reminder.attempts} times"
            )
            counts.failed += 1
        else:
            wait = self.policy.backoff * 2 ** (reminder.attempts - 1)
            await self.store.postpone(
                reminder.id, until=now + wait, attempt=True, error=error or "the channel failed"
            )
            counts.retried += 1
        self._report(reminder, delivery.status)

    def _report(self, reminder: Claimed, outcome: str) -> None:
        if self.on_result is not None:
            self.on_result(reminder, outcome)

    # --- several passes --------------------------------------------------------------------

    async def run_until_idle(self, *, horizon: dt.timedelta = dt.timedelta(seconds=60)) -> Counts:
        """Passes until nothing in scope is due; reminders put back for a moment within
        `horizon` (a flood limit's retry_after, an expired lease) are waited for and sent too.
        In quiet hours only notices are sent."""
        total = Counts()
        while True:
            counts = await self.run_once()
            total.add(counts)
            if counts.claimed:
                continue
            now = self.clock.now()
            due = await self.store.next_due(scope=self._scope_now(now))
            if due is None or due - now > horizon:
                return total
            await self.clock.sleep(max((due - now).total_seconds(), 0.05))

    async def run(self, stop: asyncio.Event) -> None:
        """The long-running dispatcher (inside `dvht serve`, or `dvht dispatch`): plans, sends
        what is due, and looks again when the next reminder is due or after `interval` at the
        latest, until `stop` is set. A failing pass is logged and tried again."""
        guard = await self.store.exclusive()
        if not await guard.acquire(wait=False):
            log.info("another dispatcher runs on this database; waiting for it to stop")
            await guard.acquire(wait=True)
        try:
            planned_at: dt.datetime | None = None
            while not stop.is_set():
                try:
                    now = self.clock.now()
                    if self.planner is not None and (
                        planned_at is None or now - planned_at >= self.policy.plan_every
                    ):
                        await self.planner.plan()
                        planned_at = now
                    counts = await self.run_until_idle(horizon=dt.timedelta(0))
                    if counts.claimed or counts.skipped:
                        log.info("reminders: %s", counts)
                    delay = await self._next_look()
                except Exception:
                    log.exception("reminder dispatch failed; trying again shortly")
                    delay = self.policy.interval.total_seconds()
                await self._wait(stop, delay)
        finally:
            guard.release()

    async def _wait(self, stop: asyncio.Event, delay: float) -> None:
        """Until `stop`, a `nudge`, or `delay` seconds, whichever comes first."""
        if self._nudged.is_set():
            self._nudged.clear()
            return
        waits = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._nudged.wait())]
        try:
            await asyncio.wait(waits, timeout=delay, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiting in waits:
                waiting.cancel()
            self._nudged.clear()

    async def _next_look(self) -> float:
        """Seconds until the next look: the next due reminder, the end of quiet hours, or
        `interval`, whichever comes first (at least one second)."""
        now = self.clock.now()
        wake = now + self.policy.interval
        scope = self._scope_now(now)
        due = await self.store.next_due(scope=scope)
        if due is not None:
            wake = min(wake, due)
        if self.window is not None and scope is not self.scope:
            wake = min(wake, self.window.next_allowed(now))
        return max((wake - now).total_seconds(), 1.0)
