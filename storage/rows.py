"""The domain records, each built from a database row in one function.

A row is a mapping of column names to values, as the hand-written statements return it (and
as an ORM object's columns give it, see `columns`). Ids are named for what they identify
(`unit_id`, `person_id`, `revision_id`, `evidence_id`, `assessment_id`), as a statement that
joins several tables must name them. Values arrive as either backend returns them: SQLite's
dates as ISO text and booleans as integers are converted here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from sqlmodel import SQLModel

from conversations.records import (
    AnswerRecord,
    AssessmentRecord,
    EvidenceKind,
    EvidenceRecord,
    MembershipRecord,
    PersonRecord,
    Role,
    UnitRecord,
)
from dvht_core.workflow import Status
from storage.types import as_date

Row = Mapping[str, Any]


def columns(item: SQLModel, *, id_as: str) -> dict[str, Any]:
    """An ORM object's column values as a row, its `id` under the name the builders read."""
    return {**item.model_dump(), id_as: getattr(item, "id", None)}


def person_record(row: Row) -> PersonRecord:
    return PersonRecord(id=row["person_id"], display_name=row["display_name"])


def unit_record(row: Row) -> UnitRecord:
    """From `unit_id, name, tier, unit_type, province, office_id, office_name, active`."""
    return UnitRecord(
        id=row["unit_id"],
        name=row["name"],
        tier=row["tier"],
        unit_type=row["unit_type"],
        province=row["province"],
        office_id=row["office_id"],
        office_name=row["office_name"],
        active=bool(row["active"]),
    )


def membership_record(row: Row) -> MembershipRecord:
    role: Role = "unit_admin" if row["role"] == "unit_admin" else "member"
    return MembershipRecord(person_id=row["person_id"], unit_id=row["unit_id"], role=role)


def answer_record(row: Row) -> AnswerRecord:
    """From one answer revision with the answering person's name (`answered_by_name`) and, when
    the statement reads it, when the indicator was first answered (`first_answered_at`)."""
    return AnswerRecord(
        indicator_id=row["indicator_id"],
        value=dict(row["value"]),
        description=row["description"],
        strengths=row["strengths"],
        weaknesses=row["weaknesses"],
        answered_by=row["answered_by"],
        answered_by_name=row["answered_by_name"],
        answered_at=row["answered_at"],
        revision_id=row["revision_id"],
        first_answered_at=row.get("first_answered_at"),
    )


def evidence_record(row: Row, indicator_ids: tuple[str, ...]) -> EvidenceRecord:
    """From one evidence row and the indicators it is linked to."""
    return EvidenceRecord(
        id=row["evidence_id"],
        kind=cast(EvidenceKind, row["kind"]),
        title=row["title"],
        indicator_ids=indicator_ids,
        original_name=row["original_name"],
        mime_type=row["mime_type"],
        size=row["size"],
        sha256=row["sha256"],
        storage_key=row["storage_key"],
        doc_number=row["doc_number"],
        doc_date=as_date(row["doc_date"]),
        issuer=row["issuer"],
        uploaded_by=row["uploaded_by"],
        uploaded_at=row["uploaded_at"],
    )


def assessment_record(
    row: Row,
    *,
    unit: UnitRecord,
    answers: dict[str, AnswerRecord],
    evidence: tuple[EvidenceRecord, ...],
) -> AssessmentRecord:
    """From the assessment's columns (`assessment_id`, `year`, …) and what was read with it."""
    return AssessmentRecord(
        id=row["assessment_id"],
        unit=unit,
        year=row["year"],
        ruleset_id=row["ruleset_id"],
        ruleset_version=row["ruleset_version"],
        status=cast(Status, row["status"]),
        members=row["members"],
        learners=row["learners"],
        level1_decision_date=as_date(row["level1_decision_date"]),
        recognition_decision_number=row["recognition_decision_number"],
        recognition_decision_date=as_date(row["recognition_decision_date"]),
        answers=answers,
        evidence=evidence,
    )
