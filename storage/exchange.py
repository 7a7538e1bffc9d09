"""Export and import in the evaluate-file format, so `dvht evaluate` judges stored data too."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from conversations.records import Actor, AssessmentRecord, UnitRecord
from dvht_core import workflow
from dvht_core.assessment import Assessment
from dvht_core.errors import InputError
from storage.assessment_sql import answer_value
from storage.assessments import AssessmentRepository
from storage.schemas import AnswerInput, AssessmentTotals, EvidenceInput


def export_document(record: AssessmentRecord) -> dict[str, Any]:
    """The assessment as an evaluate file: answers with their evidence titles and texts."""
    answers: dict[str, Any] = {}
    for indicator_id in sorted(record.answers, key=_indicator_order):
        answer = record.answers[indicator_id]
        entry: dict[str, Any] = dict(answer.value)
        entry["evidence"] = [e.title for e in record.evidence_for(indicator_id)]
        for name in ("description", "strengths", "weaknesses"):
            if getattr(answer, name):
                entry[name] = getattr(answer, name)
        answers[indicator_id] = entry
    document: dict[str, Any] = {
        "unit_name": record.unit.name,
        "province": record.unit.province,
        "tier": record.unit.tier,
        "unit_type": record.unit.unit_type,
        "year": record.year,
        "members": record.members,
    }
    if record.learners is not None:
        document["learners"] = record.learners
    if record.level1_decision_date is not None:
        document["level1_decision_date"] = record.level1_decision_date
    document["answers"] = answers
    return document


def _indicator_order(indicator_id: str) -> tuple[int, ...]:
    return tuple(int(part) for part in indicator_id.split("."))


def import_assessment(
    session: Session,
    *,
    actor: Actor,
    unit: UnitRecord,
    assessment: Assessment,
    repository: AssessmentRepository,
) -> tuple[int, int, int]:
    """Create or update the unit's draft from a parsed file; return (id, answers, evidence) added.

    Unchanged answers and evidence already on file are left alone, so importing the same file
    twice adds nothing.
    """
    if (assessment.tier, assessment.unit_type) != (unit.tier, unit.unit_type):
        raise InputError(
            "unit_type",
            f"tệp ghi {assessment.unit_type} ({assessment.tier}) nhưng đơn vị #{unit.id} là "
            f"{unit.unit_type} ({unit.tier}).",
        )
    assessment_id = repository.get_or_create(
        session, actor=actor, unit_id=unit.id, year=assessment.year
    )
    current = repository.load(session, actor=actor, unit_id=unit.id, year=assessment.year)
    assert current is not None
    if not workflow.is_editable(current.status):
        raise InputError(
            "year", f"hồ sơ năm {assessment.year} đang ở trạng thái {current.status}."
        )
    repository.set_totals(
        session,
        actor=actor,
        assessment_id=assessment_id,
        totals=AssessmentTotals(
            members=assessment.members,
            learners=assessment.learners,
            level1_decision_date=assessment.level1_decision_date,
        ),
    )
    answers_added = evidence_added = 0
    for indicator_id, answer in assessment.answers.items():
        value = answer_value(answer)
        stored = current.answers.get(indicator_id)
        texts = (answer.description, answer.strengths, answer.weaknesses)
        if (
            stored is None
            or stored.value != value
            or texts != (stored.description, stored.strengths, stored.weaknesses)
        ):
            repository.record_answer(
                session,
                actor=actor,
                assessment_id=assessment_id,
                answer=AnswerInput(
                    indicator_id=indicator_id,
                    value=value,
                    description=answer.description,
                    strengths=answer.strengths,
                    weaknesses=answer.weaknesses,
                ),
            )
            answers_added += 1
        on_file = {e.title for e in current.evidence_for(indicator_id)}
        for title in answer.evidence:
            if title not in on_file:
                repository.add_evidence(
                    session,
                    actor=actor,
                    assessment_id=assessment_id,
                    evidence=EvidenceInput(
                        kind="reference", title=title, indicator_ids=(indicator_id,)
                    ),
                )
                on_file.add(title)
                evidence_added += 1
    return assessment_id, answers_added, evidence_added
