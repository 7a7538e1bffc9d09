"""What the reminder engine needs from the outside, as protocols: a clock, the reminders
table (`ReminderStore`, implemented by `storage.reminder_store`), the units' progress
(`ProgressSource`) and a send window (quiet hours and holidays). The channels come in as
`Mapping[channel, conversations.ports.Notifier]`.

The engine never reads the database server's `now()`: every moment it compares or writes comes
from the process's `Clock`, so tests move time by hand and two servers with skewed clocks
cannot disagree about what is due.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from reminders.progress import UnitProgress


class Clock(Protocol):
    """The process's time: `now` is an aware moment; `sleep` waits (a fake clock in the
    tests jumps instead)."""

    def now(self) -> dt.datetime: ...

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """The real time, in UTC."""

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


class Window(Protocol):
    """When a push may reach a phone (`dvht_core.send_window.SendWindow`'s interface)."""

    def allowed(self, moment: dt.datetime) -> bool: ...

    def next_allowed(self, moment: dt.datetime) -> dt.datetime: ...


@dataclass(frozen=True)
class ScheduleEntry:
    """One reminder moment: the reminders of `kind` counting down to `deadline_on` go out at
    `due_at` (aware, UTC)."""

    deadline_on: dt.date
    kind: str
    due_at: dt.datetime


@dataclass(frozen=True)
class DatedEntry:
    """A reminder fixed by an assessment's own dates: the assessments of `year` (any year when
    None) whose decision is dated `decided_on` (None: not dated) get it at `due_at`, counting
    down to `deadline_on` (the day the upgrade opens, the day the recognition lapses)."""

    year: int | None
    decided_on: dt.date | None
    deadline_on: dt.date
    due_at: dt.datetime


@dataclass(frozen=True)
class Claimed:
    """A reminder taken for sending, with what the dispatcher must know about its recipient
    and unit at this moment (not at planning time)."""

    id: int
    kind: str
    deadline_key: str
    channel: str
    chat_id: str
    identity_id: int
    person_id: int
    unit_id: int | None
    office_id: int | None
    broadcast_id: int | None
    year: int | None
    deadline_on: dt.date | None
    due_at: dt.datetime
    attempts: int
    """Claims so far, this one included (a retry after a flood limit does not count)."""
    reachable: bool
    opted_out: bool
    submitted: bool
    """The unit's assessment of `year` is submitted or recognised."""
    office_deadline: dt.date | None = None
    """The earliest date an office set for this unit's dossier of `year` (None: none)."""
    broadcast_text: str | None = None
    unit_name: str | None = None
    notice_text: str | None = None
    """For kind "notice" (issue 15): the text of the notice to deliver."""


@dataclass
class Counts:
    """What one pass (or several, added up) did."""

    claimed: int = 0
    sent: int = 0
    failed: int = 0
    """Given up after the last attempt."""
    retried: int = 0
    """Put back for a later attempt (a server error, a flood limit)."""
    skipped: dict[str, int] = field(default_factory=dict)
    """By reason: superseded, past, moved, submitted, opted_out, unreachable."""

    def skip(self, reason: str, count: int = 1) -> None:
        if count:
            self.skipped[reason] = self.skipped.get(reason, 0) + count

    def add(self, other: Counts) -> None:
        self.claimed += other.claimed
        self.sent += other.sent
        self.failed += other.failed
        self.retried += other.retried
        for reason, count in other.skipped.items():
            self.skip(reason, count)


@dataclass(frozen=True)
class Scope:
    """Which reminders a dispatcher takes: the channels it can deliver to, and optionally one
    chat (the console's user) or one broadcast (`dvht broadcast`)."""

    channels: tuple[str, ...]
    identity_id: int | None = None
    broadcast_id: int | None = None
    kinds: tuple[str, ...] | None = None
    """Only reminders of these kinds (None: any); in quiet hours the dispatcher takes the
    notices alone (issue 15)."""


class ReminderStore(Protocol):
    """The reminders table: planned → claimed (with a lease) → sent, skipped with a reason,
    or failed after the last attempt. Every moment passed in is the process clock's."""

    async def deadline_dates(self, year: int) -> list[dt.date]:
        """The distinct dates offices set for `year`'s dossiers (not removed)."""
        ...

    async def plan_dossier(
        self,
        *,
        year: int,
        legal: dt.date,
        schedule: Sequence[ScheduleEntry],
        now: dt.datetime,
    ) -> int:
        """Plan (or move) the members', admins' and reviewers' reminders of `year`'s dossier;
        the number of rows created or moved."""
        ...

    async def level1_dates(self, since: dt.date) -> list[dt.date]:
        """The distinct level-1 decision dates from `since` on."""
        ...

    async def recognitions(self) -> list[tuple[int, dt.date | None]]:
        """The distinct (assessment year, decision date) of the recognised assessments."""
        ...

    async def plan_dated(
        self, *, kind: str, entries: Sequence[DatedEntry], now: dt.datetime
    ) -> int:
        """Plan the "upgrade" or "expiry" reminders from their decisions' dates."""
        ...

    async def supersede(self, *, now: dt.datetime) -> int:
        """Skip ("superseded") every due member reminder of a deadline that a later due one of
        the same chat replaces: after downtime only the most recent is sent."""
        ...

    async def claim(
        self, *, now: dt.datetime, lease_until: dt.datetime, limit: int, scope: Scope
    ) -> list[Claimed]:
        """Take up to `limit` due reminders (or ones whose lease ran out) until
        `lease_until`; no other dispatcher gets them meanwhile."""
        ...

    async def mark_sent(self, reminder_id: int, *, at: dt.datetime) -> None: ...

    async def mark_skipped(self, reminder_ids: Sequence[int], *, reason: str) -> None: ...

    async def postpone(
        self,
        reminder_id: int,
        *,
        until: dt.datetime,
        attempt: bool,
        error: str | None = None,
    ) -> None:
        """Planned again, due at `until`; `attempt=False` gives the claim back (a flood limit,
        quiet hours), so it does not count towards the last attempt."""
        ...

    async def mark_failed(self, reminder_id: int, *, error: str) -> None: ...

    async def set_unreachable(self, identity_id: int) -> None:
        """The chat blocked the bot: no more pushes until they write again."""
        ...

    async def next_due(self, *, scope: Scope) -> dt.datetime | None:
        """When the earliest planned reminder in scope is due (None: nothing planned)."""
        ...

    async def reviewer_units(self, person_id: int, year: int) -> list[int]:
        """The units of the reviewer's offices whose dossier of `year` is not submitted."""
        ...

    async def exclusive(self) -> ExclusiveGuard:
        """The guard that lets a single dispatcher run where the backend needs it (SQLite)."""
        ...


class ExclusiveGuard(Protocol):
    """Held while a dispatcher runs; `acquire` waits until no other process holds it."""

    async def acquire(self, *, wait: bool = True) -> bool: ...

    def release(self) -> None: ...


class ProgressSource(Protocol):
    """The units' progress, read at send time for a whole batch in a few queries."""

    async def load(self, unit_ids: Sequence[int], year: int) -> Mapping[int, UnitProgress]: ...
