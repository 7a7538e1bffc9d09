"""A user's place in the dialogue, stored as JSON per (channel, user) so any restart resumes.

States are immutable: the engine returns a new one (`dataclasses.replace`) and never changes
the one it was given. The stored JSON keeps the shape it has always had (the draft as a dict
of the keys that are set, options as lists), so a state saved by an earlier release loads and
resumes exactly where it stopped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from conversations.messages import Button

# Steps (the states of the diagram in docs/flow.md; what each does is in conversations/steps.py).
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
STRENGTHS = "strengths"
DONE = "done"
# Unit details (issue 12, item 3; conversations/unit_details.py).
UNIT_DETAILS = "unit_details"
UNIT_FIELD = "unit_field"
UNIT_KIND = "unit_kind"
CONFIRM_TOTAL = "confirm_total"
# Submission (issue 15; conversations/submitting.py).
CONFIRM_SUBMIT = "confirm_submit"
# The member roster in the chat (issue 16; conversations/roster_chat.py).
AWAIT_ROSTER = "await_roster"
CONFIRM_ROSTER = "confirm_roster"


@dataclass(frozen=True, slots=True)
class Pending:
    """A percentage that is not a whole number of people (90% of 31), waiting for “Đúng”."""

    value: int = 0
    """The nearest whole count, proposed."""
    percent: str | None = None
    """The percentage as typed, with a decimal comma ("95,5")."""
    exact: str = "0"
    """The exact count as a fraction ("2821/100")."""
    total: int = 1
    """The members total it was computed from."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "percent": self.percent,
            "exact": self.exact,
            "total": self.total,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Pending:
        return cls(
            value=int(data.get("value", 0)),
            percent=data.get("percent"),
            exact=str(data.get("exact", "0")),
            total=int(data.get("total", 1)),
        )


@dataclass(frozen=True, slots=True)
class RosterFigures:
    """A roster read and staged, waiting for “Có” (CONFIRM_ROSTER): its id and the counts the
    question shows, so the question can be asked again without reading the file again."""

    roster_id: int = 0
    members: int = 0
    counts: tuple[tuple[str, int], ...] = ()
    """(indicator id, members marked), in the roster's column order."""
    learners: int | None = None
    citizens: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "roster_id": self.roster_id,
            "members": self.members,
            "counts": [list(pair) for pair in self.counts],
            "learners": self.learners,
            "citizens": self.citizens,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RosterFigures:
        learners, citizens = data.get("learners"), data.get("citizens")
        return cls(
            roster_id=int(data.get("roster_id", 0)),
            members=int(data.get("members", 0)),
            counts=tuple((str(i), int(n)) for i, n in data.get("counts", ())),
            learners=None if learners is None else int(learners),
            citizens=None if citizens is None else int(citizens),
        )


@dataclass(frozen=True, slots=True)
class Draft:
    """Values gathered but not yet stored; a step that moves on to another part of the walk
    starts from an empty draft."""

    # Onboarding: the invite code being redeemed, or the new unit's fields (stored together
    # with the members total, the last question).
    code: str | None = None
    onboarding: bool = False
    """A new unit is being created (then ASK_MEMBERS creates it)."""
    name: str | None = None
    province: str | None = None
    tier: str | None = None
    unit_type: str | None = None
    # The walk.
    learners: int | None = None
    """The learners total just typed (the context has it only after the reload)."""
    count: int | None = None
    """The members count of 3.1, waiting for the learners count."""
    pending: Pending | None = None
    value: Mapping[str, Any] | None = None
    """The value just recorded: described next, and “quay lại” knows whether it was met."""
    indicator: str | None = None
    """The indicator of `value`."""
    evidence_added: int = 0
    evidence_titles: tuple[str, ...] = ()
    """Evidence added at this step, shown before the context has reloaded it."""
    evidence_hashes: tuple[str, ...] = ()
    """Files sent at this step, so the same file sent twice is refused."""
    groups: tuple[tuple[str, int], ...] = ()
    """Albums being received (Telegram's media group id → the evidence item their photos join)."""
    guess: tuple[str, ...] = ()
    """The options a “Ý bạn là …?” question proposed (button ids): “có” picks the one proposed.
    Kept for the next message only (`conversations.engine` forgets it after)."""
    # Unit details (conversations/unit_details.py).
    unit_field: str | None = None
    """The detail of the unit being changed: name, province, unit_type, members, learners."""
    total: int | None = None
    """An unusual members or learners total, waiting for “Đúng” (CONFIRM_TOTAL)."""
    submit_level: int | None = None
    """The level the submission's question showed, waiting for “Có” (CONFIRM_SUBMIT)."""
    roster: RosterFigures | None = None
    """A staged roster waiting for “Có” (CONFIRM_ROSTER, issue 16)."""

    def album(self, group: str) -> int | None:
        """The evidence item an album's photos join, once its first photo is stored."""
        return next((evidence_id for known, evidence_id in self.groups if known == group), None)

    def with_album(self, group: str, evidence_id: int) -> Draft:
        kept = tuple((known, other) for known, other in self.groups if known != group)
        return replace(self, groups=(*kept, (group, evidence_id)))

    def to_dict(self) -> dict[str, Any]:
        """Only the keys that are set, as the stored drafts have always been."""
        if self is EMPTY_DRAFT:
            return {}  # most messages: nothing gathered
        out: dict[str, Any] = {}
        if self.code is not None:
            out["code"] = self.code
        if self.onboarding:
            out["onboarding"] = True
        if self.name is not None:
            out["name"] = self.name
        if self.province is not None:
            out["province"] = self.province
        if self.tier is not None:
            out["tier"] = self.tier
        if self.unit_type is not None:
            out["unit_type"] = self.unit_type
        if self.learners is not None:
            out["learners"] = self.learners
        if self.count is not None:
            out["count"] = self.count
        if self.pending is not None:
            out["pending"] = self.pending.to_dict()
        if self.value is not None:
            out["value"] = dict(self.value)
        if self.indicator is not None:
            out["indicator"] = self.indicator
        if self.evidence_added:
            out["evidence_added"] = self.evidence_added
        if self.evidence_titles:
            out["evidence_titles"] = list(self.evidence_titles)
        if self.evidence_hashes:
            out["evidence_hashes"] = list(self.evidence_hashes)
        if self.groups:
            out["groups"] = dict(self.groups)
        if self.guess:
            out["guess"] = list(self.guess)
        if self.unit_field is not None:
            out["unit_field"] = self.unit_field
        if self.total is not None:
            out["total"] = self.total
        if self.submit_level is not None:
            out["submit_level"] = self.submit_level
        if self.roster is not None:
            out["roster"] = self.roster.to_dict()
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Draft:
        if not data:
            return EMPTY_DRAFT  # most messages: nothing gathered
        fields = {key: value for key, value in data.items() if key in _PLAIN}
        if "pending" in data:
            fields["pending"] = Pending.from_dict(data["pending"])
        if "value" in data:
            fields["value"] = dict(data["value"])
        if "evidence_titles" in data:
            fields["evidence_titles"] = tuple(data["evidence_titles"])
        if "evidence_hashes" in data:
            fields["evidence_hashes"] = tuple(data["evidence_hashes"])
        if "groups" in data:
            fields["groups"] = tuple((str(k), int(v)) for k, v in data["groups"].items())
        if "guess" in data:
            fields["guess"] = tuple(str(g) for g in data["guess"])
        if "roster" in data:
            fields["roster"] = RosterFigures.from_dict(data["roster"])
        return cls(**fields)


_PLAIN = frozenset(
    {
        "code",
        "onboarding",
        "name",
        "province",
        "tier",
        "unit_type",
        "learners",
        "count",
        "indicator",
        "evidence_added",
        "unit_field",
        "total",
        "submit_level",
    }
)
"""Draft keys stored as they are (the others are converted back to tuples and records)."""
EMPTY_DRAFT = Draft()


@dataclass(frozen=True, slots=True)
class State:
    step: str = IDLE
    unit_id: int | None = None
    year: int | None = None
    indicator: str | None = None
    draft: Draft = EMPTY_DRAFT
    options: tuple[tuple[str, str], ...] = ()
    """The buttons of the last question (id, label), so "2" or the label typed back picks one."""
    visited: tuple[str, ...] = ()
    """Indicators answered in this walk, for “quay lại”."""
    skipped: tuple[str, ...] = ()
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
            "draft": self.draft.to_dict(),
            "options": [list(option) for option in self.options],
            "visited": list(self.visited),
            "skipped": list(self.skipped),
            "paused_step": self.paused_step,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> State:
        if not data:
            return cls()
        fields = {key: value for key, value in data.items() if key in _STATE_FIELDS}
        if "draft" in fields:
            fields["draft"] = Draft.from_dict(fields["draft"] or {})
        if "options" in fields:
            fields["options"] = tuple([(option[0], option[1]) for option in fields["options"]])
        if "visited" in fields:
            fields["visited"] = tuple(fields["visited"])
        if "skipped" in fields:
            fields["skipped"] = tuple(fields["skipped"])
        return cls(**fields)

    def at(self, step: str, buttons: tuple[Button, ...] | None = None) -> State:
        """The state at `step`, with `buttons` on screen when given (the very same state when
        neither changes). Written out rather than dataclasses.replace: it runs for every
        message, and replace costs twice as much."""
        options = (
            self.options
            if buttons is None
            else tuple([(b.id, b.label) for b in buttons if not b.per_item])
        )  # per-item buttons are pressed by id only: a typed number never picks one
        if step == self.step and options == self.options:
            return self
        return State(
            step,
            self.unit_id,
            self.year,
            self.indicator,
            self.draft,
            options,
            self.visited,
            self.skipped,
            self.paused_step,
        )


_STATE_FIELDS = frozenset(State.__dataclass_fields__)
