"""Assessments, their answers (kept as history) and evidence.

Repositories take an explicit session and never commit: the caller's use case decides, so an
answer and its audit row commit together or not at all. Reading an assessment and writing an
answer are the chat's statements (`storage.assessment_sql`), so the command line and the chat
share one implementation of each.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from conversations.errors import NotFound
from conversations.records import Actor, AnswerRecord, AssessmentRecord, EvidenceRecord
from dvht_core import workflow
from dvht_core.errors import InputError
from dvht_core.loader import TT24_BY_TIER, load_rulebook, rulebook_for
from dvht_core.workflow import Status
from storage import access, assessment_sql, audit, standing
from storage.rows import columns, evidence_record
from storage.schemas import AnswerInput, AssessmentTotals, EvidenceInput, FileInput
from storage.tables import AssessmentRow, Evidence, EvidenceFile, EvidenceIndicator
from storage.types import utcnow


class AssessmentRepository:
    def get_or_create(self, session: Session, *, actor: Actor, unit_id: int, year: int) -> int:
        """The id of the unit's assessment for `year`, created as a draft on first use, on the
        current rulebook of the unit's tier (it keeps that rulebook and version from then on)."""
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
            level1_decision_date=self._level1_decided(session, unit_id=unit_id, before=year),
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

    def _level1_decided(self, session: Session, *, unit_id: int, before: int) -> dt.date | None:
        """The unit's latest level-1 decision of an earlier year (an office's recognition at
        level 1 sets it, issue 15): a new year's dossier starts with it, so the 12-month wait
        before level 2 (the rulebook's `upgrade_wait_months`, from the provinces' plans) applies
        without the official typing the date again."""
        decided = col(AssessmentRow.level1_decision_date)
        result = session.execute(
            select(decided)
            .where(
                AssessmentRow.unit_id == unit_id,
                AssessmentRow.year < before,
                decided.is_not(None),
            )
            .order_by(col(AssessmentRow.year).desc())
            .limit(1)
        )
        found: dt.date | None = result.scalar()
        return found

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
        """The unit's assessment for `year` with its current answers and evidence, read as the
        chat reads it; None if not started. NotFound / AccessDenied for the unit."""
        return assessment_sql.load_for_unit(session, actor=actor, unit_id=unit_id, year=year)

    def history(
        self, session: Session, *, actor: Actor, assessment_id: int, indicator_id: str
    ) -> list[AnswerRecord]:
        """Every revision of one indicator's answer, oldest first."""
        row = self._row(session, assessment_id)
        access.ensure_can_read(session, actor, row.unit_id)
        return assessment_sql.history(
            session, assessment_id=assessment_id, indicator_id=indicator_id
        )

    def set_totals(
        self, session: Session, *, actor: Actor, assessment_id: int, totals: AssessmentTotals
    ) -> None:
        row = assessment_sql.editable(session, actor=actor, assessment_id=assessment_id)
        changes = totals.model_dump(exclude_unset=True)
        session.exec(
            update(AssessmentRow)
            .where(col(AssessmentRow.id) == assessment_id)
            .values(**changes, updated_at=utcnow(), standing_at=None)
        )
        audit.record(
            session,
            actor=actor,
            action="assessment.totals",
            unit_id=row["unit_id"],
            details={k: str(v) for k, v in changes.items()},
        )

    def record_answer(
        self, session: Session, *, actor: Actor, assessment_id: int, answer: AnswerInput
    ) -> None:
        """Append a revision of one answer (checked by dvht_core) and its audit row."""
        assessment_sql.record_answer(
            session,
            actor=actor,
            assessment_id=assessment_id,
            indicator_id=answer.indicator_id,
            value=answer.value,
            description=answer.description,
            strengths=answer.strengths,
            weaknesses=answer.weaknesses,
        )

    def add_evidence(
        self, session: Session, *, actor: Actor, assessment_id: int, evidence: EvidenceInput
    ) -> EvidenceRecord:
        row = assessment_sql.editable(session, actor=actor, assessment_id=assessment_id)
        rulebook = rulebook_for(row["ruleset_id"], row["ruleset_version"])
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
        indicator_ids = tuple(dict.fromkeys(evidence.indicator_ids))
        standing.mark_stale(session, assessment_id)
        for indicator_id in indicator_ids:
            session.add(EvidenceIndicator(evidence_id=item.id, indicator_id=indicator_id))
        audit.record(
            session,
            actor=actor,
            action="evidence.add",
            unit_id=row["unit_id"],
            details={
                "assessment_id": assessment_id,
                "evidence_id": item.id,
                "indicators": list(evidence.indicator_ids),
                "sha256": evidence.sha256,
            },
        )
        return evidence_record(columns(item, id_as="evidence_id"), indicator_ids)

    def attach_file(
        self, session: Session, *, actor: Actor, evidence_id: int, file: FileInput
    ) -> int:
        """Add a further file to an evidence item; return how many files the item has now."""
        evidence = session.get(Evidence, evidence_id)
        if evidence is None:
            raise NotFound(f"evidence {evidence_id}")
        row = assessment_sql.editable(session, actor=actor, assessment_id=evidence.assessment_id)
        session.add(EvidenceFile(evidence_id=evidence_id, **file.model_dump()))
        session.flush()
        audit.record(
            session,
            actor=actor,
            action="evidence.attach",
            unit_id=row["unit_id"],
            details={"evidence_id": evidence_id, "sha256": file.sha256},
        )
        extra = session.exec(
            select(func.count())
            .select_from(EvidenceFile)
            .where(EvidenceFile.evidence_id == evidence_id)
        ).one()
        return 1 + int(extra)

    def remove_evidence(
        self, session: Session, *, actor: Actor, evidence_id: int, indicator_id: str
    ) -> str:
        """Take an evidence item off one indicator (“xóa minh chứng 2”) and return its title.

        The link is marked with who removed it and when rather than deleted, and the audit log
        keeps the title: the item, its file and its history stay, so nothing entered is lost
        and an operator can read back what was removed.
        """
        evidence, link, row = self._current_link(session, actor, evidence_id, indicator_id)
        link.removed_at = utcnow()
        link.removed_by = actor.person_id
        session.add(link)
        standing.mark_stale(session, evidence.assessment_id)
        audit.record(
            session,
            actor=actor,
            action="evidence.remove",
            unit_id=row["unit_id"],
            details={
                "assessment_id": evidence.assessment_id,
                "evidence_id": evidence_id,
                "indicator": indicator_id,
                "title": evidence.title,
            },
        )
        return evidence.title

    def rename_evidence(
        self, session: Session, *, actor: Actor, evidence_id: int, indicator_id: str, title: str
    ) -> str:
        """Give an evidence item of an indicator a new title; return the old one, which the
        audit log keeps beside the new one."""
        evidence, _, row = self._current_link(session, actor, evidence_id, indicator_id)
        old = evidence.title
        evidence.title = title[:500]
        session.add(evidence)
        standing.mark_stale(session, evidence.assessment_id)
        audit.record(
            session,
            actor=actor,
            action="evidence.rename",
            unit_id=row["unit_id"],
            details={"evidence_id": evidence_id, "from": old, "to": evidence.title},
        )
        return old

    def _current_link(
        self, session: Session, actor: Actor, evidence_id: int, indicator_id: str
    ) -> tuple[Evidence, EvidenceIndicator, Mapping[str, Any]]:
        """The item, its link to the indicator (not removed) and its editable assessment row;
        NotFound when the item is not (or no longer) evidence of that indicator."""
        evidence = session.get(Evidence, evidence_id)
        link = session.get(EvidenceIndicator, (evidence_id, indicator_id))
        if evidence is None or link is None or link.removed_at is not None:
            raise NotFound(f"evidence {evidence_id} of {indicator_id}")
        row = assessment_sql.editable(session, actor=actor, assessment_id=evidence.assessment_id)
        return evidence, link, row

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
        row.standing_at = None
        session.add(row)
