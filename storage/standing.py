"""Marking the dashboard's cached standing of an assessment stale.

The board lists tens of thousands of units with each one's self-assessed level and share of
indicators answered; both need the engine (`dvht_core.evaluate`), which cannot run for every
unit on every page view. `assessments.standing_*` keep the last figures and `standing_at` says
when they were computed. Every write that can change them (an answer, the totals, evidence
added, removed or renamed, a status change, the unit's type or tier) sets `standing_at` to NULL
here, in the writer's own transaction, so a committed change is never hidden behind an old
figure; the board's next read of the unit recomputes it (`storage.board_store`).
"""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session

from storage.runner import runner_for

_STALE = text("UPDATE assessments SET standing_at = NULL WHERE id = :assessment_id")
_UNIT_STALE = text("UPDATE assessments SET standing_at = NULL WHERE unit_id = :unit_id")


def mark_stale(session: Session, assessment_id: int) -> None:
    """The assessment's answers, totals, evidence or status changed in this transaction."""
    runner_for(session).run(_STALE, {"assessment_id": assessment_id})


def mark_unit_stale(session: Session, unit_id: int) -> None:
    """The unit's type or tier changed: which indicators apply changed for every year."""
    runner_for(session).run(_UNIT_STALE, {"unit_id": unit_id})
