"""What a reminder knows about one unit when it is sent: read at send time, not at planning
time, so a reminder says what is left *now* (an indicator answered an hour ago is not listed).

`UnitProgress` is what storage loads (`storage.progress_store`); `Standing` is what the texts
are made of, computed from it once per push: the rulebook the assessment was started on, the
evaluation, the indicators still unanswered, those answered without evidence, and the level
the unit is heading to.

**The level a unit is heading to.** While a unit is still answering, its evaluated level is 0
(an unanswered indicator is “không đạt”), so “the next level above the evaluation” would read
level 1 for almost every unit, even one whose every answer so far reaches level 2. The heading
level is therefore read from the answers given, by their values, leaving aside what the push
already counts on its own lines (the unanswered indicators and the missing evidence):

* level 1 while an answered indicator's value is below level 1's bar (a ratio short of it, a
  “chưa đạt”, an emulation title or digital level below it, the learners not declared);
* otherwise level 2 — also when level 1 is met, and when every value already reaches level 2
  (then the unit reaches level 2 by answering the rest at the same standard, with evidence).

Its shortfall is `dvht_core.gaps` for that level, the value gaps of the answered indicators.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from conversations.context import assessment_of
from conversations.records import AssessmentRecord
from dvht_core.assessment import Assessment
from dvht_core.evaluate import Evaluation, evaluate
from dvht_core.gaps import Gap, gaps
from dvht_core.loader import rulebook_for
from dvht_core.model import Indicator, Level, Rulebook
from dvht_core.workflow import Status

SUBMITTED: frozenset[Status] = frozenset({"submitted", "recognised"})
"""The statuses of a dossier already with the office: its unit gets no more dossier pushes."""


@dataclass(frozen=True)
class UnitProgress:
    """One unit's assessment of one year, as its reminders and roll-ups describe it."""

    assessment: AssessmentRecord
    """The current answers (with who answered and when) and the evidence on file."""
    completions: tuple[dt.date, ...] = ()
    """The Vietnam date on which each answered indicator was first answered, one entry per
    answered indicator that applies to the unit (the forecast's history); empty when nothing
    is answered."""
    started: bool = True
    """False when the unit has no assessment of the year yet: `assessment` is then an empty
    draft on the current rulebook of the unit's tier (id 0, never stored), so the texts can say
    how much is left all the same."""

    @classmethod
    def of(cls, record: AssessmentRecord, *, started: bool = True) -> UnitProgress:
        """The progress of a loaded assessment, its history read from the answers' first
        moments (`AnswerRecord.first_answered_at`) for the indicators that apply."""
        rulebook = rulebook_for(record.ruleset_id, record.ruleset_version)
        applicable = rulebook.plan(record.unit.unit_type).indicator_ids
        return cls(record, record.first_answered_days(applicable), started)

    @property
    def unit_id(self) -> int:
        return self.assessment.unit.id

    @property
    def submitted(self) -> bool:
        return self.started and self.assessment.status in SUBMITTED


@dataclass(frozen=True)
class Standing:
    """A unit's progress in the terms the texts use, computed once per push."""

    progress: UnitProgress
    rulebook: Rulebook
    assessment: Assessment
    evaluation: Evaluation
    applicable: tuple[Indicator, ...]
    """The indicators that apply to the unit, in rulebook order."""
    unanswered: tuple[str, ...]
    without_evidence: tuple[str, ...]
    """Answered indicators with no evidence on file."""
    heading: Level | None
    """The level the unit is heading to (module docstring); None once it has reached level 2."""
    shortfall: tuple[tuple[str, tuple[str, ...]], ...]
    """The answered indicators whose values fall short of `heading`, each with its needs
    (“cần thêm 3 thành viên …: hiện 24/30 (80%), cần ≥ 27/30 (90%)”), in rulebook order."""
    shortfall_2: tuple[tuple[str, tuple[str, ...]], ...]
    """The same against level 2, whatever the heading (the upgrade push lists it)."""

    @property
    def answered(self) -> int:
        return len(self.applicable) - len(self.unanswered)

    @property
    def percent(self) -> int:
        """Answered over applicable, in whole percent rounded down (so 99.9% never reads 100%)."""
        total = len(self.applicable)
        return self.answered * 100 // total if total else 100

    def label(self, indicator_id: str) -> str:
        """“Chỉ tiêu 2.1 (Tỷ lệ thành viên học tập)”, as `dvht_core.gaps` names indicators."""
        indicator = self.rulebook.indicator(indicator_id)
        short = f" ({indicator.short})" if indicator is not None else ""
        return f"Chỉ tiêu {indicator_id}{short}"


def standing(progress: UnitProgress) -> Standing:
    """Evaluate the unit's answers and find what is left and where it is heading."""
    record = progress.assessment
    rulebook = rulebook_for(record.ruleset_id, record.ruleset_version)
    plan = rulebook.plan(record.unit.unit_type)
    applicable = tuple(i for _, inds in plan.criteria for i in inds)
    assessment = assessment_of(record)
    evaluation = evaluate(rulebook, assessment)
    unanswered = tuple(i.id for i in applicable if i.id not in record.answers)
    without_evidence = tuple(
        i.id for i in applicable if i.id in record.answers and not record.evidence_for(i.id)
    )
    below_1 = _value_gaps(rulebook, assessment, evaluation, 1, unanswered)
    heading: Level | None = 1 if below_1 else 2
    if evaluation.level == 2:
        heading = None
    found = below_1 if heading == 1 else ()
    if heading == 2:
        found = _value_gaps(rulebook, assessment, evaluation, 2, unanswered)
    below_2 = (
        found if heading == 2 else _value_gaps(rulebook, assessment, evaluation, 2, unanswered)
    )
    return Standing(
        progress=progress,
        rulebook=rulebook,
        assessment=assessment,
        evaluation=evaluation,
        applicable=applicable,
        unanswered=unanswered,
        without_evidence=without_evidence,
        heading=heading,
        shortfall=_grouped(rulebook, found),
        shortfall_2=_grouped(rulebook, below_2),
    )


def _value_gaps(
    rulebook: Rulebook,
    assessment: Assessment,
    evaluation: Evaluation,
    target: Level,
    unanswered: tuple[str, ...],
) -> tuple[Gap, ...]:
    """The gaps of the answered indicators' values at `target`: not the unanswered indicators
    nor the missing evidence, which the push counts on lines of their own."""
    return tuple(
        g
        for g in gaps(rulebook, assessment, evaluation, target)
        if g.indicator_id not in unanswered and g.kind != "thieu_minh_chung"
    )


def _grouped(
    rulebook: Rulebook, found: tuple[Gap, ...]
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Each indicator once, with its needs in the order `gaps` gave them."""
    needs: dict[str, list[str]] = {}
    for gap in found:
        indicator = rulebook.indicator(gap.indicator_id)
        label = f"Chỉ tiêu {gap.indicator_id} ({indicator.short if indicator else ''}): "
        needs.setdefault(gap.indicator_id, []).append(
            gap.message.removeprefix(label).removesuffix(".")
        )
    return tuple((indicator_id, tuple(items)) for indicator_id, items in needs.items())
