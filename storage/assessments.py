"""Assessments, their answers (kept as history) and evidence.

Repositories take an explicit session and never commit: the caller's use case decides, so an
answer and its audit row commit together or not at all.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any, cast

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from conversations.errors import AccessDenied, NotFound
from conversations.records import (
    Actor,
    AnswerRecord,
    AssessmentRecord,
    EvidenceKind,
    EvidenceRecord,
    UnitRecord,
)
from dvht_core import workflow
from dvht_core.assessment import Answer, check_answer
from dvht_core.errors import InputError
from dvht_core.loader import TT24_BY_TIER, load_rulebook
from dvht_core.model import Rulebook
from dvht_core.workflow import Status
from storage import access, audit
from storage.schemas import AnswerInput, AssessmentTotals, EvidenceInput, FileInput
from storage.tables import (
    AnswerRevision,
    AssessmentRow,
    Evidence,
    EvidenceFile,
    EvidenceIndicator,
    Membership,
    Office,
    Person,
    Unit,
)
from storage.types import utcnow


def unit_record(unit: Unit, office: Office | None = None) -> UnitRecord:
    assert unit.id is not None
    return UnitRecord(
        id=unit.id,
        name=unit.name,
        tier=unit.tier,
        unit_type=unit.unit_type,
        province=unit.province,
        office_id=unit.office_id,
        office_name=office.name if office else None,
        active=unit.active,
    )


def answer_value(answer: Answer) -> dict[str, Any]:
    """The kind-specific part of a checked answer, as stored in `answer_revisions.value`."""
    fields = ("met", "count", "learners_count", "title", "dt_level")
    return {name: getattr(answer, name) for name in fields if getattr(answer, name) is not None}


class AssessmentRepository:
    def get_or_create(self, session: Session, *, actor: Actor, unit_id: int, year: int) -> int:
        """The id of the unit's assessment for `year`, created as a draft on first use."""
        unit = access.ensure_can_answer(session, actor, unit_id)
        existing = self._find_id(session, unit_id=unit_id, year=year)
        if existing is not None:
            return existing
        rulebook = load_rulebook(TT24_BY_TIER[unit.tier])
        row = AssessmentRow(
            unit_id=unit_id,
            year=year,
            ruleset_id=rulebook.id,
            ruleset_version=rulebook.version,
        )
        try:
            with session.begin_nested():  # a colleague may create it at the same moment
                session.add(row)
                session.flush()
        except IntegrityError:
            found = self._find_id(session, unit_id=unit_id, year=year)
            assert found is not None
            return found
        audit.record(
            session,
            actor=actor,
            action="assessment.create",
            unit_id=unit_id,
            details={"year": year, "ruleset": rulebook.id},
        )
        assert row.id is not None
        return row.id

    def _find_id(self, session: Session, *, unit_id: int, year: int) -> int | None:
        result = session.exec(
            select(AssessmentRow.id).where(
                AssessmentRow.unit_id == unit_id, AssessmentRow.year == year
            )
        )
        return result.first()

    def _row(self, session: Session, assessment_id: int) -> AssessmentRow:
        row = session.get(AssessmentRow, assessment_id)
        if row is None:
            raise NotFound(f"assessment {assessment_id}")
        return row

    def load(
        self, session: Session, *, actor: Actor, unit_id: int, year: int
    ) -> AssessmentRecord | None:
        """The unit's assessment for `year` with its current answers and evidence."""
        result = session.exec(
            select(AssessmentRow, Unit, Office)
            .join(Unit, col(Unit.id) == AssessmentRow.unit_id)
            .outerjoin(Office, col(Office.id) == Unit.office_id)
            .where(AssessmentRow.unit_id == unit_id, AssessmentRow.year == year)
        )
        found = result.first()
        if found is None:
            access.ensure_can_read(session, actor, unit_id)  # NotFound / AccessDenied
            return None
        row, unit, office = found
        access.check_can_read(session, actor, unit)
        return self._record(session, row, unit_record(unit, office))

    def _record(self, session: Session, row: AssessmentRow, unit: UnitRecord) -> AssessmentRecord:
        assert row.id is not None
        return AssessmentRecord(
            id=row.id,
            unit=unit,
            year=row.year,
            ruleset_id=row.ruleset_id,
            ruleset_version=row.ruleset_version,
            status=cast(Status, row.status),
            members=row.members,
            learners=row.learners,
            level1_decision_date=row.level1_decision_date,
            recognition_decision_number=row.recognition_decision_number,
            recognition_decision_date=row.recognition_decision_date,
            answers=self._current_answers(session, row.id),
            evidence=self._evidence(session, row.id),
        )

    def _current_answers(self, session: Session, assessment_id: int) -> dict[str, AnswerRecord]:
        latest = (
            select(func.max(AnswerRevision.id))
            .where(AnswerRevision.assessment_id == assessment_id)
            .group_by(col(AnswerRevision.indicator_id))
        )
        # Plain columns, not entities: this runs for every chat message, and building ORM
        # objects was a third of its cost.
        result = session.exec(
            select(*_ANSWER_COLUMNS, Person.display_name)  # type: ignore[call-overload]
            .outerjoin(Person, col(Person.id) == AnswerRevision.answered_by)
            .where(col(AnswerRevision.id).in_(latest))
        )
        return {row[1]: _answer_from_row(row) for row in result.all()}

    def _evidence(self, session: Session, assessment_id: int) -> tuple[EvidenceRecord, ...]:
        result = session.exec(
            select(*_EVIDENCE_COLUMNS, EvidenceIndicator.indicator_id)  # type: ignore[call-overload]
            .join(EvidenceIndicator, col(EvidenceIndicator.evidence_id) == Evidence.id)
            .where(Evidence.assessment_id == assessment_id)
            .order_by(col(Evidence.id), col(EvidenceIndicator.indicator_id))
        )
        rows: dict[int, tuple[Any, ...]] = {}
        links: dict[int, list[str]] = defaultdict(list)
        for row in result.all():
            rows[row[0]] = tuple(row[:-1])
            links[row[0]].append(row[-1])
        return tuple(
            EvidenceRecord(*rows[i][:3], tuple(links[i]), *rows[i][3:])  # type: ignore[call-arg]
            for i in rows
        )

    def history(
        self, session: Session, *, actor: Actor, assessment_id: int, indicator_id: str
    ) -> list[AnswerRecord]:
        """Every revision of one indicator's answer, oldest first."""
        row = self._row(session, assessment_id)
        access.ensure_can_read(session, actor, row.unit_id)
        result = session.exec(
            select(AnswerRevision, Person.display_name)
            .outerjoin(Person, col(Person.id) == AnswerRevision.answered_by)
            .where(
                AnswerRevision.assessment_id == assessment_id,
                AnswerRevision.indicator_id == indicator_id,
            )
            .order_by(col(AnswerRevision.id))
        )
        return [_answer_record(revision, name) for revision, name in result.all()]

    def set_totals(
        self, session: Session, *, actor: Actor, assessment_id: int, totals: AssessmentTotals
    ) -> None:
        row = self._editable(session, actor, assessment_id)
        changes = totals.model_dump(exclude_unset=True)
        for name, value in changes.items():
            setattr(row, name, value)
        row.updated_at = utcnow()
        session.add(row)
        audit.record(
            session,
            actor=actor,
            action="assessment.totals",
            unit_id=row.unit_id,
            details={k: str(v) for k, v in changes.items()},
        )

    def record_answer(
        self, session: Session, *, actor: Actor, assessment_id: int, answer: AnswerInput
    ) -> AnswerRecord:
        """Append a revision of one answer (checked by dvht_core) and its audit row."""
        row = self._editable(session, actor, assessment_id)
        rulebook = _rulebook(row)
        indicator = rulebook.indicator(answer.indicator_id)
        if indicator is None:
            raise InputError(answer.indicator_id, f"không có chỉ tiêu {answer.indicator_id}.")
        checked = check_answer(indicator, answer.value, members=row.members, learners=row.learners)
        revision = AnswerRevision(
            assessment_id=assessment_id,
            indicator_id=indicator.id,
            value=answer_value(checked),
            description=answer.description,
            strengths=answer.strengths,
            weaknesses=answer.weaknesses,
            answered_by=actor.person_id,
        )
        session.add(revision)
        row.updated_at = utcnow()
        session.add(row)
        session.flush()
        audit.record(
            session,
            actor=actor,
            action="answer.record",
            unit_id=row.unit_id,
            details={
                "assessment_id": assessment_id,
                "indicator": indicator.id,
                "value": revision.value,
            },
        )
        return _answer_record(revision, None)

    def add_evidence(
        self, session: Session, *, actor: Actor, assessment_id: int, evidence: EvidenceInput
    ) -> EvidenceRecord:
        row = self._editable(session, actor, assessment_id)
        rulebook = _rulebook(row)
        unknown = [i for i in evidence.indicator_ids if rulebook.indicator(i) is None]
        if unknown:
            raise InputError("indicator_ids", f"không có chỉ tiêu {', '.join(unknown)}.")
        item = Evidence(
            assessment_id=assessment_id,
            uploaded_by=actor.person_id,
            **evidence.model_dump(exclude={"indicator_ids"}),
        )
        session.add(item)
        session.flush()
        assert item.id is not None
        for indicator_id in dict.fromkeys(evidence.indicator_ids):
            session.add(EvidenceIndicator(evidence_id=item.id, indicator_id=indicator_id))
        audit.record(
            session,
            actor=actor,
            action="evidence.add",
            unit_id=row.unit_id,
            details={
                "assessment_id": assessment_id,
                "evidence_id": item.id,
                "indicators": list(evidence.indicator_ids),
                "sha256": evidence.sha256,
            },
        )
        return _evidence_record(item, list(dict.fromkeys(evidence.indicator_ids)))

    def attach_file(
        self, session: Session, *, actor: Actor, evidence_id: int, file: FileInput
    ) -> int:
        """Add a further file to an evidence item; return how many files the item has now."""
        evidence = session.get(Evidence, evidence_id)
        if evidence is None:
            raise NotFound(f"evidence {evidence_id}")
        row = self._editable(session, actor, evidence.assessment_id)
        session.add(EvidenceFile(evidence_id=evidence_id, **file.model_dump()))
        session.flush()
        audit.record(
            session,
            actor=actor,
            action="evidence.attach",
            unit_id=row.unit_id,
            details={"evidence_id": evidence_id, "sha256": file.sha256},
        )
        extra = session.exec(
            select(func.count())
            .select_from(EvidenceFile)
            .where(EvidenceFile.evidence_id == evidence_id)
        ).one()
        return 1 + int(extra)

    def set_status(
        self,
        session: Session,
        *,
        actor: Actor,
        assessment_id: int,
        status: Status,
        decision_number: str | None = None,
        decision_date: dt.date | None = None,
    ) -> None:
        row = self._row(session, assessment_id)
        needed = workflow.mover(row.status, status)
        if needed is None:
            raise InputError("status", f"không thể chuyển từ “{row.status}” sang “{status}”.")
        if needed == "reviewer":
            access.ensure_reviewer(session, actor, row.unit_id)
        elif needed == "unit_admin":
            access.ensure_unit_admin(session, actor, row.unit_id)
        else:
            access.ensure_can_answer(session, actor, row.unit_id)
        if status == "recognised":
            if not decision_number or decision_date is None:
                raise InputError("decision", "cần số và ngày quyết định công nhận.")
            row.recognition_decision_number = decision_number
            row.recognition_decision_date = decision_date
        audit.record(
            session,
            actor=actor,
            action="assessment.status",
            unit_id=row.unit_id,
            details={"from": row.status, "to": status},
        )
        row.status = status
        row.updated_at = utcnow()
        session.add(row)

    def _editable(self, session: Session, actor: Actor, assessment_id: int) -> AssessmentRow:
        """The assessment row, if the caller may answer for its unit (one query for both)."""
        found = session.exec(
            select(AssessmentRow, Membership.role)
            .outerjoin(
                Membership,
                (col(Membership.unit_id) == AssessmentRow.unit_id)
                & (col(Membership.person_id) == actor.person_id),
            )
            .where(AssessmentRow.id == assessment_id)
        ).first()
        if found is None:
            raise NotFound(f"assessment {assessment_id}")
        row, role = found
        if not actor.system and role is None:
            raise AccessDenied(f"{actor.label} may not answer for unit {row.unit_id}")
        if not workflow.is_editable(row.status):
            raise AccessDenied(f"assessment {assessment_id} is {row.status} and cannot change")
        return row


_ANSWER_COLUMNS = (
    AnswerRevision.id,
    AnswerRevision.indicator_id,
    AnswerRevision.value,
    AnswerRevision.description,
    AnswerRevision.strengths,
    AnswerRevision.weaknesses,
    AnswerRevision.answered_by,
    AnswerRevision.answered_at,
)
# In EvidenceRecord's field order, less `indicator_ids` (which comes fourth).
_EVIDENCE_COLUMNS = (
    Evidence.id,
    Evidence.kind,
    Evidence.title,
    Evidence.original_name,
    Evidence.mime_type,
    Evidence.size,
    Evidence.sha256,
    Evidence.storage_key,
    Evidence.doc_number,
    Evidence.doc_date,
    Evidence.issuer,
    Evidence.uploaded_by,
    Evidence.uploaded_at,
)


def _answer_from_row(row: Any) -> AnswerRecord:
    revision_id, indicator_id, value, description, strengths, weaknesses, by, at, name = row
    return AnswerRecord(
        indicator_id=indicator_id,
        value=dict(value),
        description=description,
        strengths=strengths,
        weaknesses=weaknesses,
        answered_by=by,
        answered_by_name=name,
        answered_at=at,
        revision_id=revision_id,
    )


def _rulebook(row: AssessmentRow) -> Rulebook:
    return load_rulebook(row.ruleset_id)


def _answer_record(revision: AnswerRevision, name: str | None) -> AnswerRecord:
    assert revision.id is not None
    return AnswerRecord(
        indicator_id=revision.indicator_id,
        value=dict(revision.value),
        description=revision.description,
        strengths=revision.strengths,
        weaknesses=revision.weaknesses,
        answered_by=revision.answered_by,
        answered_by_name=name,
        answered_at=revision.answered_at,
        revision_id=revision.id,
    )


def _evidence_record(item: Evidence, indicator_ids: list[str]) -> EvidenceRecord:
    assert item.id is not None
    return EvidenceRecord(
        id=item.id,
        kind=cast(EvidenceKind, item.kind),
        title=item.title,
        indicator_ids=tuple(indicator_ids),
        original_name=item.original_name,
        mime_type=item.mime_type,
        size=item.size,
        sha256=item.sha256,
        storage_key=item.storage_key,
        doc_number=item.doc_number,
        doc_date=item.doc_date,
        issuer=item.issuer,
        uploaded_by=item.uploaded_by,
        uploaded_at=item.uploaded_at,
    )
