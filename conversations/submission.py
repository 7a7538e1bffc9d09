"""Whether a unit's assessment may be submitted, and at which level (issue 15).

One function, `readiness`, read by the chat (to show the admin what is being requested and
what is still missing before they confirm) and by storage (to check again, in the very
transaction that submits, that nothing changed since): a unit cannot submit a level it has not
self-assessed, and the check must not trust what a chat showed a minute earlier.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from conversations.context import assessment_of
from conversations.errors import AccessDenied
from conversations.records import AssessmentRecord
from dvht_core.errors import DvhtError
from dvht_core.evaluate import evaluate
from dvht_core.gaps import missing_evidence
from dvht_core.loader import rulebook_for


class SubmitRefused(DvhtError):
    """The dossier cannot be submitted now; `message` is one Vietnamese sentence saying why
    (indicators unanswered, below level 1, already submitted …)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class DossierLocked(AccessDenied):
    """The dossier was submitted (or recognised) and no longer changes: `message` names when
    and by whom, for the person who tried to change an answer, a total or evidence. An
    AccessDenied, so every caller that refuses those refuses this too; the chat says the
    sentence and asks the same question again."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class Readiness:
    """The assessment as the submission sees it."""

    applicable: int
    unanswered: tuple[str, ...]
    level: int
    """The self-assessed level (0: không đạt); meaningful only once nothing is unanswered."""
    without_evidence: tuple[str, ...]
    """Answered indicators with no evidence on file (they are not met for lack of it)."""

    @property
    def complete(self) -> bool:
        return not self.unanswered

    @property
    def submittable(self) -> bool:
        return self.complete and self.level >= 1


def readiness(record: AssessmentRecord) -> Readiness:
    rulebook = rulebook_for(record.ruleset_id, record.ruleset_version)
    plan = rulebook.plan(record.unit.unit_type)
    applicable = [i.id for _, indicators in plan.criteria for i in indicators]
    unanswered = tuple(i for i in applicable if i not in record.answers)
    assessment = assessment_of(record)
    level = evaluate(rulebook, assessment).level
    missing = tuple(m.indicator_id for m in missing_evidence(rulebook, assessment) if m.answered)
    return Readiness(len(applicable), unanswered, level, missing)


@dataclass(frozen=True, slots=True)
class Submitted:
    """What a submission did."""

    unit_id: int
    unit_name: str
    year: int
    level: int
    at: dt.datetime
    notified: int
    """Reviewers' chats the notice was queued for."""
    reviewers: int = 0
    """The receiving office's reviewers, with a chat or not: those without one see the dossier
    on the dashboard."""
