"""An assessment's life: its statuses, who may move it from one to the next, and which
statuses still accept answers.

TT24 Điều 10 and 16: the unit self-assesses, its head submits the dossier to the receiving
office, and that office either returns it (to be completed) or recognises the unit. Storage
enforces these rules in its repositories and in its hand-written SQL, both from this table.
"""

from __future__ import annotations

from typing import Literal, get_args

Status = Literal["draft", "self_assessed", "submitted", "returned", "recognised"]
STATUSES: tuple[Status, ...] = get_args(Status)
Mover = Literal["member", "unit_admin", "reviewer"]

EDITABLE: frozenset[Status] = frozenset({"draft", "self_assessed", "returned"})
"""Answers and evidence may change only before submission, or after the office returned it."""

TRANSITIONS: dict[tuple[str, str], Mover] = {
    ("draft", "self_assessed"): "member",
    ("returned", "self_assessed"): "member",
    ("self_assessed", "draft"): "member",
    ("self_assessed", "submitted"): "unit_admin",
    ("submitted", "returned"): "reviewer",
    ("submitted", "recognised"): "reviewer",
}
"""(from, to) → who may make the move; any pair not listed is not a legal move."""


def is_editable(status: str) -> bool:
    return status in EDITABLE


def mover(current: str, target: str) -> Mover | None:
    """Who may move an assessment from `current` to `target`; None when the move is illegal."""
    return TRANSITIONS.get((current, target))
