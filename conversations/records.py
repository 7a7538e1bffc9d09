"""Domain records the storage ports exchange with the dialogue engine and the backend.

Plain frozen dataclasses: the conversation layer never sees a database row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Literal

from dvht_core import vietnam_time
from dvht_core.workflow import Status

Role = Literal["member", "unit_admin"]
EvidenceKind = Literal["file", "photo", "reference"]


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting: a person (checked against memberships and scopes) or the operator's CLI."""

    person_id: int | None
    label: str
    system: bool = False

    @classmethod
    def operator(cls, label: str = "cli") -> Actor:
        """The server operator at the command line: full access, still audited."""
        return cls(person_id=None, label=label, system=True)

    @classmethod
    def person(cls, person_id: int, label: str | None = None) -> Actor:
        return cls(person_id=person_id, label=label or f"person:{person_id}")


@dataclass(frozen=True, slots=True)
class UnitRecord:
    id: int
    name: str
    tier: str
    unit_type: str
    province: str
    office_id: int | None
    office_name: str | None
    active: bool


@dataclass(frozen=True, slots=True)
class UnitChange:
    """One corrected detail of a unit (issue 12, item 3), as stored in the audit log: the
    field (name, province, tier, unit_type, members, learners), its old and new value, and for
    a total the assessment year it belongs to; `at` and `by` when read back from the history."""

    field: str
    old: str | int | None
    new: str | int | None
    year: int | None = None
    at: dt.datetime | None = None
    by: str | None = None


@dataclass(frozen=True, slots=True)
class PersonRecord:
    id: int
    display_name: str


@dataclass(frozen=True, slots=True)
class MembershipRecord:
    person_id: int
    unit_id: int
    role: Role


@dataclass(frozen=True, slots=True)
class InviteRecord:
    """A freshly created invite: the plain code is shown once and never stored."""

    code: str
    unit_id: int
    role: Role
    expires_at: dt.datetime
    max_uses: int | None


@dataclass(frozen=True, slots=True)
class AnswerRecord:
    indicator_id: str
    value: dict[str, object]
    description: str | None
    strengths: str | None
    weaknesses: str | None
    answered_by: int | None
    answered_by_name: str | None
    answered_at: dt.datetime
    revision_id: int
    first_answered_at: dt.datetime | None = None
    """When the indicator was first answered (its oldest revision), for the pace the finish-date
    forecast reads (`dvht_core.forecast`); None where the loader does not read it (a revision
    listed in an indicator's history)."""


@dataclass(frozen=True, slots=True)
class EvidenceRecord:
    id: int
    kind: EvidenceKind
    title: str
    indicator_ids: tuple[str, ...]
    original_name: str | None = None
    mime_type: str | None = None
    size: int | None = None
    sha256: str | None = None
    storage_key: str | None = None
    doc_number: str | None = None
    doc_date: dt.date | None = None
    issuer: str | None = None
    uploaded_by: int | None = None
    uploaded_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class AssessmentRecord:
    """One unit's assessment for one year, with its current answers and evidence."""

    id: int
    unit: UnitRecord
    year: int
    ruleset_id: str
    ruleset_version: str
    status: Status
    members: int | None
    learners: int | None
    level1_decision_date: dt.date | None
    recognition_decision_number: str | None
    recognition_decision_date: dt.date | None
    answers: dict[str, AnswerRecord] = field(default_factory=dict)
    evidence: tuple[EvidenceRecord, ...] = ()

    def evidence_for(self, indicator_id: str) -> tuple[EvidenceRecord, ...]:
        return tuple(e for e in self.evidence if indicator_id in e.indicator_ids)

    def first_answered_days(self, indicator_ids: Collection[str]) -> tuple[dt.date, ...]:
        """The Vietnam date on which each of these indicators was first answered, one per
        answered indicator whose first answer was loaded: the finish-date forecast's history
        (`dvht_core.forecast`), read the same way by the chat and the reminders."""
        return tuple(
            vietnam_time.today(answer.first_answered_at)
            for indicator_id, answer in self.answers.items()
            if indicator_id in indicator_ids and answer.first_answered_at is not None
        )
