"""The office's decisions on a submitted dossier (`review.ports.ReviewActions`), as a use case
over a store port: the input is checked here (one Vietnamese sentence per mistake), the
transition, its audit row and its notice are the store's, in one transaction.

Why checks are split so: what needs only the input and the clock (a reason too short, a
decision dated tomorrow) is refused here before the database is touched; what needs the row
(the current status, the level the unit asked for, who reviews the unit) is refused by the
store in the transaction that would write, so a concurrent decision cannot slip between a
check and the write.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable
from typing import Protocol

from conversations import catalogue as say
from conversations.records import Actor
from dvht_core import vietnam_time
from review.ports import Decision, ReviewRefused

REASON_MIN = 3
REASON_MAX = 1000
DECISION_NUMBER_MAX = 100


class Clock(Protocol):
    """The process's time (`reminders.ports.Clock` fits): an aware moment."""

    def now(self) -> dt.datetime: ...


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


class ReviewStore(Protocol):
    """The transitions in storage (`storage.review_store.SqlReviewStore`). Each raises
    AccessDenied / NotFound for the caller and the unit, ReviewRefused for the status or a
    level above the one submitted."""

    async def return_dossier(
        self, actor: Actor, *, unit_id: int, year: int, reason: str, now: dt.datetime
    ) -> Decision: ...

    async def recognise(
        self,
        actor: Actor,
        *,
        unit_id: int,
        year: int,
        number: str,
        decided_on: dt.date,
        level: int,
        now: dt.datetime,
    ) -> Decision: ...


def clean_text(text: str) -> str:
    """NFC (what a phone's keyboard sends varies) and trimmed, as stored and shown."""
    return unicodedata.normalize("NFC", text).strip()


class ReviewService:
    """`ReviewActions` on a `ReviewStore`."""

    def __init__(
        self,
        store: ReviewStore,
        *,
        clock: Clock | None = None,
        on_notice: Callable[[], None] | None = None,
    ) -> None:
        """`on_notice`: called after a decision whose notice was queued (committed), e.g. the
        in-process reminder dispatcher's `nudge`, so the unit's members hear at once rather
        than at the dispatcher's next look (at most a minute later)."""
        self.store = store
        self.clock = clock or SystemClock()
        self.on_notice = on_notice

    def _told(self, decision: Decision) -> Decision:
        if decision.notified and self.on_notice is not None:
            self.on_notice()
        return decision

    async def return_dossier(
        self, actor: Actor, *, unit_id: int, year: int, reason: str
    ) -> Decision:
        text = clean_text(reason)
        if not REASON_MIN <= len(text) <= REASON_MAX:
            raise ReviewRefused(say.REASON_LENGTH)
        decision = await self.store.return_dossier(
            actor, unit_id=unit_id, year=year, reason=text, now=self.clock.now()
        )
        return self._told(decision)

    async def recognise(
        self,
        actor: Actor,
        *,
        unit_id: int,
        year: int,
        decision_number: str,
        decision_date: dt.date,
        level: int,
    ) -> Decision:
        number = clean_text(decision_number)
        if not number or len(number) > DECISION_NUMBER_MAX:
            raise ReviewRefused(say.DECISION_NUMBER_NEEDED)
        if level not in (1, 2):
            raise ReviewRefused(say.LEVEL_ONE_OR_TWO)
        now = self.clock.now()
        today = vietnam_time.today(now)
        if decision_date > today:
            raise ReviewRefused(say.decision_in_future(today))
        if decision_date.year < year:
            raise ReviewRefused(say.decision_before_year(year))
        decision = await self.store.recognise(
            actor,
            unit_id=unit_id,
            year=year,
            number=number,
            decided_on=decision_date,
            level=level,
            now=now,
        )
        return self._told(decision)
