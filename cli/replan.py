"""The one place the calendar's writers ask for deadline reminders to be planned again.

`dvht deadline add`, `remove` and `office` change what a unit's reminders count down to (its
effective deadline) or who they name; after each committed change the command awaits
`replan(database, change)`, which runs every planner registered in `REPLANNERS` with what
changed. The engine's planner (`reminders.planner`, branch `engine`) is registered here at
merge; re-planning is idempotent by the reminders' unique key, so a planner may re-plan more
than the change strictly needs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storage.db import Database


@dataclass(frozen=True, slots=True)
class CalendarChange:
    """What changed: the assessment year whose dossier dates moved (None for a change of
    office, which concerns every year from its date), and the scope — a province, an office's
    units, or one unit."""

    reason: str
    """"deadline.add", "deadline.remove" or "office.set"."""
    year: int | None = None
    province: str | None = None
    office_id: int | None = None
    unit_id: int | None = None


Replanner = Callable[["Database", CalendarChange], Awaitable[object]]
REPLANNERS: list[Replanner] = []
"""The planners to run after a calendar change, in order."""


async def replan(database: Database, change: CalendarChange) -> None:
    """Plan the reminders again after `change` was committed."""
    for planner in REPLANNERS:
        await planner(database, change)
