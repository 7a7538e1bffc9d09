"""A user's place in the dialogue, stored as JSON per (channel, user) so any restart resumes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from conversations.messages import Button

# Steps (the states of the diagram in docs/flow.md).
IDLE = "idle"
WELCOME = "welcome"
ASK_CODE = "ask_code"
ASK_NAME = "ask_name"
ASK_PROVINCE = "ask_province"
ASK_TYPE = "ask_type"
ASK_MEMBERS = "ask_members"
VALUE = "value"
CONFIRM_PCT = "confirm_pct"
ASK_LEARNERS = "ask_learners"
LEARNERS_VALUE = "learners_value"
EVIDENCE = "evidence"
DESCRIPTION = "description"
DONE = "done"

FREE_TEXT_STEPS = frozenset({ASK_CODE, ASK_NAME, ASK_PROVINCE, EVIDENCE, DESCRIPTION})
"""Steps that wait for free text: only clear commands and questions are intents there."""


@dataclass
class State:
    step: str = IDLE
    unit_id: int | None = None
    year: int | None = None
    indicator: str | None = None
    draft: dict[str, Any] = field(default_factory=dict)
    """Values gathered but not yet stored: onboarding fields, a count awaiting confirmation."""
    options: list[tuple[str, str]] = field(default_factory=list)
    """The buttons of the last question, so "2" or the label typed back picks one."""
    visited: list[str] = field(default_factory=list)
    """Indicators answered in this walk, for “quay lại”."""
    skipped: list[str] = field(default_factory=list)
    """Indicators passed over with “bỏ qua”: not asked again until the user edits them."""
    paused_step: str | None = None

    def to_dict(self) -> dict[str, Any]:
        # Written out: dataclasses.asdict deep-copies recursively and cost more than the rest
        # of saving the state (it runs for every message).
        return {
            "step": self.step,
            "unit_id": self.unit_id,
            "year": self.year,
            "indicator": self.indicator,
            "draft": dict(self.draft),
            "options": [list(option) for option in self.options],
            "visited": list(self.visited),
            "skipped": list(self.skipped),
            "paused_step": self.paused_step,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> State:
        if not data:
            return cls()
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        state = cls(**known)
        state.options = [tuple(o) for o in state.options]  # type: ignore[misc]
        return state

    def offer(self, buttons: tuple[Button, ...]) -> tuple[Button, ...]:
        self.options = [(b.id, b.label) for b in buttons]
        return buttons
