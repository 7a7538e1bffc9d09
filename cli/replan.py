"""The one place the calendar's writers ask for deadline reminders to be planned again.

`dvht deadline add`, `remove` and `office` change what a unit's reminders count down to (its
effective deadline) or who they name; after each committed change the command awaits
`replan(database, change)`, which runs every planner registered in `REPLANNERS` with what
changed. The reminders' planner (`reminders.planner`) is the one registered: it plans the
whole current year again, which is idempotent by the reminders' unique key (a moved deadline
moves the rows still planned, nothing is added twice) and costs a few set-based statements.
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


async def plan_reminders(database: Database, change: CalendarChange) -> object:
    """The deadline reminders of the current assessment year, planned again with the
    configured offsets (`DVHT_REMINDER_DAYS`) and the process's clock."""
    from cli.common import load_settings
    from reminders.planner import Planner
    from reminders.ports import SystemClock
    from storage.reminder_store import SqlReminderStore

    offsets = load_settings().reminder_offsets()
    return await Planner(SqlReminderStore(database), SystemClock(), offsets=offsets).plan()


REPLANNERS: list[Replanner] = [plan_reminders]
"""The planners to run after a calendar change, in order."""


async def replan(database: Database, change: CalendarChange) -> None:
    """Plan the reminders again after `change` was committed."""
    for planner in REPLANNERS:
        await planner(database, change)
