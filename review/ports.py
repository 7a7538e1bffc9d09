"""What the review use case offers its callers (the dashboard, the JSON API, the command line)
and who is calling: the interface the web layer is written against.

`ReviewActions` is implemented by `review.service.ReviewService` on a `storage` adapter; every
call checks the caller's role and unit in storage (`storage.access`), and every transition is
in the audit log with who and when.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal, Protocol

from conversations.records import Actor

Role = Literal["reviewer", "unit_admin"]


@dataclass(frozen=True, slots=True)
class Viewer:
    """A person signed in to the dashboard, with what they may see: the offices they review
    for (a reviewer sees and acts on the units whose office is one of these) and the units
    they administer (a unit admin sees only those)."""

    person_id: int
    name: str
    office_ids: frozenset[int]
    admin_unit_ids: frozenset[int]

    @property
    def role(self) -> Role | None:
        """ "reviewer" when they review for an office (that wins), "unit_admin" when they only
        administer units, None when neither (no dashboard for them)."""
        if self.office_ids:
            return "reviewer"
        if self.admin_unit_ids:
            return "unit_admin"
        return None

    @property
    def actor(self) -> Actor:
        return Actor.person(self.person_id, f"web:{self.person_id}")


class ReviewRefused(Exception):
    """A move the workflow does not allow, or input it cannot take: `message` is one
    Vietnamese sentence for the person (“Hồ sơ chưa nộp nên chưa thể công nhận.”)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class Decision:
    """What a return or a recognition did."""

    unit_id: int
    unit_name: str
    year: int
    status: Literal["returned", "recognised"]
    level: int | None
    """The recognised level; None for a return."""
    notified: int
    """Chats the notice was queued for (the unit's members with a chat)."""


class ReviewActions(Protocol):
    """The office's decisions on a submitted dossier. AccessDenied / NotFound
    (`conversations.errors`) when the caller may not act on the unit or it does not exist;
    ReviewRefused for an illegal move or bad input."""

    async def return_dossier(
        self, actor: Actor, *, unit_id: int, year: int, reason: str
    ) -> Decision:
        """submitted → returned, with the reason every member of the unit is told."""
        ...

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
        """submitted → recognised at `level` (1 or 2, at most the level submitted), by the
        decision numbered `decision_number` of `decision_date` (not in the future)."""
        ...
