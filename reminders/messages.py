"""What a claimed reminder says: the words come from `reminders.compose` (one function per
kind, over the unit's progress read at send time); a broadcast is its own text.

The kinds whose composer `reminders.compose` does not define (yet) are worded here from the
catalogue, plainly, so no reminder goes out empty or fails for want of a sentence. A composer
is called with the keyword arguments it declares, so `buttons` (the resume button, where the
channel shows buttons) reaches the composers that take it.
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from conversations import catalogue as say
from conversations.messages import Outbound
from reminders import compose
from reminders.planner import ADMIN_KIND, BROADCAST_KIND, EXPIRY_KIND, REVIEWER_KIND, UPGRADE_KIND
from reminders.ports import Claimed
from reminders.progress import UnitProgress


def is_member_kind(kind: str) -> bool:
    return kind.startswith("T-")


def _composer(name: str) -> Callable[..., list[Outbound]] | None:
    found = getattr(compose, name, None)
    return found if callable(found) else None


def _call(function: Callable[..., list[Outbound]], *args: Any, **kwargs: Any) -> list[Outbound]:
    """`function(*args, **kwargs)` with only the keyword arguments it declares."""
    declared = inspect.signature(function).parameters
    return function(*args, **{k: v for k, v in kwargs.items() if k in declared})


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
        return _call(
            compose.reminder_messages, kind, unit, deadline=deadline, today=today, buttons=buttons
        )
    if kind == ADMIN_KIND:
        rollup = _composer("admin_rollup")
        if rollup is not None:
            return _call(rollup, unit, deadline=deadline, today=today, buttons=buttons)
        return _call(
            compose.reminder_messages, "T-7", unit, deadline=deadline, today=today, buttons=buttons
        )
    name = unit.assessment.unit.name
    if kind == UPGRADE_KIND:
        opened = _composer("upgrade_open")
        if opened is not None:
            return _call(opened, unit, deadline=deadline, today=today, buttons=buttons)
        return [Outbound(say.upgrade_opens(name, deadline))]
    if kind == EXPIRY_KIND:
        soon = _composer("expiry_soon")
        if soon is not None:
            return _call(soon, unit, deadline=deadline, today=today, buttons=buttons)
        return [Outbound(say.recognition_lapses(name, deadline))]
    raise ValueError(f"unknown reminder kind {kind!r}")


def _reviewer(
    units: Sequence[UnitProgress], *, deadline: dt.date, today: dt.date
) -> list[Outbound]:
    rollup = _composer("reviewer_rollup")
    if rollup is not None:
        return _call(rollup, units, deadline=deadline, today=today)
    return [Outbound(say.reviewer_open_units(deadline, today, [_share(u) for u in units]))]


def _share(unit: UnitProgress) -> str:
    """“UBND xã A: 8/13 chỉ tiêu (61%)”, the share answered as a whole percentage."""
    from dvht_core.loader import rulebook_for

    record = unit.assessment
    rulebook = rulebook_for(record.ruleset_id, record.ruleset_version)
    applicable = [i.id for _, inds in rulebook.plan(record.unit.unit_type).criteria for i in inds]
    done = sum(1 for i in applicable if i in record.answers)
    total = len(applicable) or 1
    return f"{record.unit.name}: {done}/{total} chỉ tiêu ({done * 100 // total}%)"


def all_answered(unit: UnitProgress) -> bool:
    """Every indicator that applies to the unit is answered (the report can be made)."""
    from dvht_core.loader import rulebook_for

    record = unit.assessment
    rulebook = rulebook_for(record.ruleset_id, record.ruleset_version)
    applicable = [i.id for _, inds in rulebook.plan(record.unit.unit_type).criteria for i in inds]
    return all(i in record.answers for i in applicable)
