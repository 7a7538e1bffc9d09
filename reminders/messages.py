"""What a claimed reminder says: the words come from `reminders.compose` (one function per
kind, over the unit's progress read at send time); a broadcast is its own text."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from conversations import catalogue as say
from conversations.messages import Outbound
from reminders import compose
from reminders.planner import (
    ADMIN_KIND,
    BROADCAST_KIND,
    EXPIRY_KIND,
    NOTICE_KIND,
    REVIEWER_KIND,
    UPGRADE_KIND,
)
from reminders.ports import Claimed
from reminders.progress import UnitProgress


def is_member_kind(kind: str) -> bool:
    return kind.startswith("T-")


def messages_for(
    reminder: Claimed,
    *,
    progress: Mapping[int, UnitProgress],
    reviewer_units: Sequence[UnitProgress] = (),
    today: dt.date,
    buttons: bool = False,
) -> list[Outbound]:
    """The push for one claimed reminder (one message)."""
    kind = reminder.kind
    if kind == BROADCAST_KIND:
        return [Outbound(reminder.broadcast_text or "", kind="broadcast")]
    if kind == NOTICE_KIND:
        if not reminder.notice_text:
            raise ValueError(f"notice reminder {reminder.id} has no text")
        return [Outbound(reminder.notice_text, kind="notice")]
    deadline = reminder.deadline_on or today
    unit = progress.get(reminder.unit_id) if reminder.unit_id is not None else None
    if kind == REVIEWER_KIND:
        return _reviewer(reviewer_units, deadline=deadline, today=today)
    if unit is None:
        name = reminder.unit_name or ""
        days = (deadline - today).days
        return [
            Outbound(say.reminder_not_started(name, reminder.year or today.year, days, deadline))
        ]
    if is_member_kind(kind):
        return compose.reminder_messages(
            kind, unit, deadline=deadline, today=today, buttons=buttons
        )
    if kind == ADMIN_KIND:
        return compose.admin_rollup(unit, deadline=deadline, today=today, buttons=buttons)
    if kind == UPGRADE_KIND:
        # `deadline_on` is the day the wait ends; the decision's date is on the assessment.
        return compose.upgrade_open(unit, today=today, buttons=buttons)
    if kind == EXPIRY_KIND:
        return compose.expiry_soon(unit, lapses_on=deadline, today=today, buttons=buttons)
    raise ValueError(f"unknown reminder kind {kind!r}")


def _reviewer(
    units: Sequence[UnitProgress], *, deadline: dt.date, today: dt.date
) -> list[Outbound]:
    return compose.reviewer_rollup(units, deadline=deadline, today=today)
