"""A unit's member roster (issue 16): who meets each member indicator, and the counts.

Six indicators (2.1–2.5, and 3.1 “Công dân học tập”) are shares of the unit's members; units
keep them as Excel lists. A roster read from such a list is plain data here: the members in
sheet order with the indicators each is marked for, the learners' classes of a tỉnh-tier school,
and the problems found row by row. Counting and naming the people still missing are pure, so
the chat, the command line and the tests agree on every figure. Reading the spreadsheet itself
is an adapter's job (`reports.roster_xlsx`), behind `conversations.ports.RosterFiles`.

Names never leave this data for a report: reports carry counts only (the privacy rule of the
issue); the names of people still missing are shown to the unit's admins alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from dvht_core.model import Indicator, Rulebook

ROSTER_KINDS = frozenset({"member_ratio", "member_learner_ratio"})
"""The indicator kinds counted over the unit's members: one roster column each."""


@dataclass(frozen=True, slots=True)
class RosterMember:
    row: int
    """The row number as Excel shows it, for messages (“Dòng 7 …”)."""
    name: str
    """Họ và tên, NFC, trimmed, inner spaces collapsed."""
    position: str
    """Chức vụ / đơn vị công tác; empty when the cell is blank."""
    marks: frozenset[str]
    """The ids of the indicators this member is marked for (x / có / đạt)."""


@dataclass(frozen=True, slots=True)
class LearnerClass:
    """One class on the learners' sheet of a tỉnh-tier school: how many learners, and how many
    of them are recognised “Công dân học tập” (indicator 3.1's learners' share)."""

    row: int
    name: str
    total: int
    citizens: int


@dataclass(frozen=True, slots=True)
class RosterProblem:
    """A cell or row the reader could not count, in one Vietnamese sentence for the official
    (“Dòng 7, cột Lao động tiên tiến (2.5): “xx” không phải x, có, đạt hoặc để trống.”)."""

    sheet: str
    row: int | None
    column: str | None
    text: str


@dataclass(frozen=True, slots=True)
class Roster:
    indicator_ids: tuple[str, ...]
    """The member indicators the file has a column for, in rulebook order."""
    members: tuple[RosterMember, ...]
    classes: tuple[LearnerClass, ...] = ()
    problems: tuple[RosterProblem, ...] = ()
    """What was not counted and why; the good rows count regardless."""

    @property
    def total_members(self) -> int:
        return len(self.members)

    def count(self, indicator_id: str) -> int:
        """How many members are marked for the indicator."""
        return sum(indicator_id in member.marks for member in self.members)

    def missing(self, indicator_id: str) -> tuple[str, ...]:
        """The names of the members not marked for the indicator, in sheet order."""
        return tuple(m.name for m in self.members if indicator_id not in m.marks)

    @property
    def learners_total(self) -> int | None:
        """All learners on the learners' sheet; None without one."""
        return sum(c.total for c in self.classes) if self.classes else None

    @property
    def learners_citizens(self) -> int | None:
        return sum(c.citizens for c in self.classes) if self.classes else None


def roster_indicators(rulebook: Rulebook, unit_type: str) -> tuple[Indicator, ...]:
    """The member indicators that apply to the unit type, in rulebook order: the roster's
    columns after họ và tên and chức vụ."""
    plan = rulebook.plan(unit_type)
    return tuple(
        indicator
        for _, applicable in plan.criteria
        for indicator in applicable
        if indicator.kind in ROSTER_KINDS
    )


@dataclass(frozen=True, slots=True)
class RosterConfirmed:
    """What confirming a staged roster recorded (`storage.roster_store.confirm_roster`): the
    counts by indicator as answered, the totals set, and the evidence item of the file."""

    roster_id: int
    counts: dict[str, int]
    """Indicator id → members marked, for the indicators the file had a column for."""
    members: int
    learners: int | None
    """The learners total set from the learners' sheet; None when the file had none."""
    learners_citizens: int | None
    evidence_id: int


class RosterNotPending(Exception):
    """A roster that can no longer be confirmed: `state` is "confirmed" (it was, already) or
    "superseded" (a newer roster of the same assessment was read since). The adapters word it."""

    def __init__(self, roster_id: int, state: str) -> None:
        super().__init__(f"roster {roster_id} is {state}")
        self.roster_id = roster_id
        self.state = state
