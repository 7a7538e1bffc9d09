"""A unit whose assessment is answered in full (level 2, every indicator with evidence),
written through the repositories as the operator: the state a unit admin submits from."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from conversations.records import Actor
from dvht_core.loader import load_rulebook
from storage.assessments import AssessmentRepository
from storage.db import Database
from storage.schemas import AnswerInput, AssessmentTotals, EvidenceInput
from storage.uow import transaction

OPERATOR = Actor.operator()


def _value(kind: str, members: int) -> dict[str, Any]:
    if kind in ("yes_no", "accreditation"):
        return {"met": True}
    if kind == "emulation_title":
        return {"title": "tap_the_lao_dong_xuat_sac"}
    if kind == "digital_level":
        return {"dt_level": "tot"}
    if kind == "member_learner_ratio":
        return {"count": members, "learners_count": 1000}
    return {"count": members}


async def answer_all(
    database: Database, unit_id: int, year: int, *, members: int = 30, met: bool = True
) -> int:
    """Answer every indicator of the UBND xã plan (1.1 not met when `met` is False); the
    assessment's id."""

    def work(session: Session) -> int:
        repo = AssessmentRepository()
        assessment_id = repo.get_or_create(session, actor=OPERATOR, unit_id=unit_id, year=year)
        repo.set_totals(
            session,
            actor=OPERATOR,
            assessment_id=assessment_id,
            totals=AssessmentTotals(members=members),
        )
        rulebook = load_rulebook("tt24-huyen")
        for _, indicators in rulebook.plan("ubnd_xa").criteria:
            for indicator in indicators:
                value = _value(indicator.kind, members)
                if not met and indicator.id == "1.1":
                    value = {"met": False}
                repo.record_answer(
                    session,
                    actor=OPERATOR,
                    assessment_id=assessment_id,
                    answer=AnswerInput(indicator_id=indicator.id, value=value),
                )
                repo.add_evidence(
                    session,
                    actor=OPERATOR,
                    assessment_id=assessment_id,
                    evidence=EvidenceInput(
                        kind="reference",
                        title=f"Kế hoạch số {indicator.id}/KH-UBND",
                        indicator_ids=(indicator.id,),
                    ),
                )
        return assessment_id

    result: int = await transaction(database, work)
    return result
