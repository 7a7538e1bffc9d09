"""Planning: which reminders exist, for whom and when, written as rows of the reminders table.

The dates are computed here, in Python, once per distinct date (a year's legal deadline and
the handful of dates offices set; the decisions' dates): the set is tiny, and date arithmetic
in SQL differs between SQLite and PostgreSQL. The rows themselves are written by the store in
set-based statements (`INSERT … SELECT … ON CONFLICT`), one per family, never a loop per unit:
planning 100,000 units is a few statements.

Planning is idempotent and may run at any time (the dispatcher runs it at start and every
pass): the unique key (chat, deadline, kind) keeps one row per reminder, a moved deadline
moves the rows still planned, and a moment already past at planning time creates nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from dvht_core import vietnam_time
from reminders import dates
from reminders.ports import Clock, DatedEntry, ReminderStore, ScheduleEntry

MEMBER_KINDS_PREFIX = "T-"
ADMIN_KIND = "admin-T-7"
REVIEWER_KIND = "reviewer-T-3"
UPGRADE_KIND = "upgrade"
EXPIRY_KIND = "expiry"
BROADCAST_KIND = "broadcast"
NOTICE_KIND = "notice"
"""A one-off notice (issue 15: a dossier submitted, returned, recognised), queued by the review
use case with its text in `notices`; delivered at once, not planned here."""
DOSSIER_KINDS_PAST_AFTER_DEADLINE = ("T-", "admin-", "reviewer-")
"""Kinds that mean nothing once their deadline has passed (prefixes)."""


def member_kind(days_before: int) -> str:
    return f"{MEMBER_KINDS_PREFIX}{days_before}"


def dossier_key(year: int) -> str:
    return f"dossier:{year}"


@dataclass(frozen=True)
class PlanResult:
    year: int
    dossier: int
    upgrade: int
    expiry: int

    @property
    def total(self) -> int:
        return self.dossier + self.upgrade + self.expiry


def dossier_schedule(
    deadlines: Iterable[dt.date], offsets: Sequence[int], now: dt.datetime
) -> list[ScheduleEntry]:
    """Every reminder moment of each deadline that is still ahead of `now`: the members' T-N,
    the admin's roll-up at T-7 and the reviewers' list at T-3."""
    entries = []
    for deadline in sorted(set(deadlines)):
        kinds = [(member_kind(n), n) for n in sorted(set(offsets), reverse=True)]
        kinds += [(ADMIN_KIND, dates.ADMIN_OFFSET), (REVIEWER_KIND, dates.REVIEWER_OFFSET)]
        for kind, days_before in kinds:
            due = dates.due_moment(deadline - dt.timedelta(days=days_before))
            if due > now:
                entries.append(ScheduleEntry(deadline, kind, due))
    return entries


class Planner:
    """Plans every family of reminders for the current assessment year."""

    def __init__(
        self,
        store: ReminderStore,
        clock: Clock,
        *,
        offsets: Sequence[int] = dates.REMINDER_OFFSETS,
    ) -> None:
        if not offsets or any(n < 1 for n in offsets):
            raise ValueError("reminder offsets must be whole days before the deadline, ≥ 1")
        self.store = store
        self.clock = clock
        self.offsets = tuple(sorted(set(offsets), reverse=True))

    async def plan(self) -> PlanResult:
        now = self.clock.now()
        today = vietnam_time.today(now)
        year = vietnam_time.assessment_year(today)
        legal = dates.dossier_deadline(year)
        offices = [d for d in await self.store.deadline_dates(year) if d < legal]
        schedule = dossier_schedule([legal, *offices], self.offsets, now)
        dossier = await self.store.plan_dossier(year=year, legal=legal, schedule=schedule, now=now)
        upgrade = await self._upgrades(today, now)
        expiry = await self._expiries(now)
        return PlanResult(year, dossier, upgrade, expiry)

    async def _upgrades(self, today: dt.date, now: dt.datetime) -> int:
        """ "upgrade" on the day the 12-month wait after a level-1 decision ends."""
        since = today.replace(day=1) - dt.timedelta(days=400)
        entries = []
        for decided in await self.store.level1_dates(since):
            opens = dates.upgrade_opens(decided)
            due = dates.due_moment(opens)
            if due > now:
                entries.append(DatedEntry(None, decided, opens, due))
        if not entries:
            return 0
        return await self.store.plan_dated(kind=UPGRADE_KIND, entries=entries, now=now)

    async def _expiries(self, now: dt.datetime) -> int:
        """ "expiry" 60 days before a recognition lapses."""
        entries = []
        for year, decided in await self.store.recognitions():
            lapses = dates.recognition_lapses(year, decided)
            due = dates.due_moment(dates.expiry_reminder_day(year, decided))
            if due > now:
                entries.append(DatedEntry(year, decided, lapses, due))
        if not entries:
            return 0
        return await self.store.plan_dated(kind=EXPIRY_KIND, entries=entries, now=now)
