"""Export and import in the evaluate-file format, so `dvht evaluate` judges stored data too."""

from __future__ import annotations

import asyncio
import time
from functools import partial
from typing import Any

from sqlmodel import Session

from conversations.records import Actor, AssessmentRecord
from dvht_core import workflow
from dvht_core.assessment import Assessment
from dvht_core.errors import InputError
from storage.assessment_sql import answer_value, locked_text
from storage.assessments import AssessmentRepository
from storage.db import Database
from storage.schemas import AnswerInput, AssessmentTotals, EvidenceInput
from storage.units import UnitRepository
from storage.uow import read, transaction


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


IMPORT_BATCH_S = 0.25
"""How long one import transaction adds evidence before it commits: the write lock is held
about this long (plus the commit), so a chat message waits at most this for it. Measured by
another process probing the lock every 2 ms through a 40,000-reference import: the longest
hold 0.26 s (before: the whole import, 19.5 s on a quiet machine)."""
IMPORT_PAUSE_S = 0.025
"""The pause between two import batches, as long as the longest backoff of a waiting
transaction (`storage.uow.BACKOFF_MAX_S`): every writer that waits polls at least once while
the lock is free, so SQLite's lock, which queues nobody, cannot starve the chat."""


async def import_assessment(
    database: Database,
    *,
    actor: Actor,
    unit_id: int,
    assessment: Assessment,
    repository: AssessmentRepository | None = None,
) -> tuple[int, int, int]:
    """Create or update the unit's draft from a parsed file; return (id, answers, evidence) added.

    Unchanged answers and evidence already on file are left alone, so importing the same file
    twice adds nothing.

    A long import is several transactions, not one. A read compares the file with the draft
    (the answers that changed, the evidence not yet on file); one short write creates the
    draft if needed and stores the totals and those answers; then the evidence goes in, in
    batches of about `IMPORT_BATCH_S`, each its own transaction, with a pause between them.
    Traded: all-or-nothing. An import cut short (a crash, a full disk, the assessment
    submitted meanwhile) leaves its answers and the evidence of the batches already
    committed, each item whole with its audit row, and importing the same file again adds
    exactly the rest; a member may see the evidence list grow batch by batch. Why: as one
    transaction, the import held SQLite's write lock from start to end (40,000 references:
    95 s in the issue's probe, 19.5 s on a quiet machine, measured by another process
    probing the lock every 2 ms), and every chat user waited that long or was refused; in
    batches the longest hold was 0.26 s. The import takes about as long as before (19-22 s
    against 20.5-21.6 s): the pauses cost what the smaller sessions save (the one huge
    session grew with every item it flushed).
    """
    repo = repository or AssessmentRepository()
    answers, pending = await read(
        database,
        partial(_plan_import, actor=actor, unit_id=unit_id, assessment=assessment, repo=repo),
    )
    assessment_id = await transaction(
        database,
        partial(
            _start_import,
            actor=actor,
            unit_id=unit_id,
            assessment=assessment,
            answers=answers,
            repo=repo,
        ),
    )
    evidence_added = 0
    while evidence_added < len(pending):
        if evidence_added:
            await asyncio.sleep(IMPORT_PAUSE_S)
        evidence_added += await transaction(
            database,
            partial(
                _add_evidence,
                actor=actor,
                assessment_id=assessment_id,
                items=pending[evidence_added:],
                repo=repo,
            ),
        )
    return assessment_id, len(answers), evidence_added


def _plan_import(
    session: Session,
    *,
    actor: Actor,
    unit_id: int,
    assessment: Assessment,
    repo: AssessmentRepository,
) -> tuple[list[AnswerInput], list[tuple[str, str]]]:
    """What the file changes: the answers that differ from the stored ones and the evidence
    not yet on file. A read, so no lock is held while a large draft loads (40,000 evidence
    items took about a second)."""
    unit = UnitRepository().get(session, actor=actor, unit_id=unit_id)
    if (assessment.tier, assessment.unit_type) != (unit.tier, unit.unit_type):
        raise InputError(
            "unit_type",
            f"tệp ghi {assessment.unit_type} ({assessment.tier}) nhưng đơn vị #{unit.id} là "
            f"{unit.unit_type} ({unit.tier}).",
        )
    current = repo.load(session, actor=actor, unit_id=unit.id, year=assessment.year)
    if current is not None and not workflow.is_editable(current.status):
        raise InputError("year", locked_text(session, current.id))
    answers: list[AnswerInput] = []
    pending: list[tuple[str, str]] = []
    for indicator_id, answer in assessment.answers.items():
        value = answer_value(answer)
        stored = current.answers.get(indicator_id) if current is not None else None
        texts = (answer.description, answer.strengths, answer.weaknesses)
        if (
            stored is None
            or stored.value != value
            or texts != (stored.description, stored.strengths, stored.weaknesses)
        ):
            answers.append(
                AnswerInput(
                    indicator_id=indicator_id,
                    value=value,
                    description=answer.description,
                    strengths=answer.strengths,
                    weaknesses=answer.weaknesses,
                )
            )
        on_file = (
            {e.title for e in current.evidence_for(indicator_id)} if current is not None else set()
        )
        for title in answer.evidence:
            if title not in on_file:
                pending.append((indicator_id, title))
                on_file.add(title)
    return answers, pending


def _start_import(
    session: Session,
    *,
    actor: Actor,
    unit_id: int,
    assessment: Assessment,
    answers: list[AnswerInput],
    repo: AssessmentRepository,
) -> int:
    """The first write: the draft (created if it is the year's first), its totals and the
    changed answers, each with its audit row."""
    assessment_id = repo.get_or_create(session, actor=actor, unit_id=unit_id, year=assessment.year)
    repo.set_totals(
        session,
        actor=actor,
        assessment_id=assessment_id,
        totals=AssessmentTotals(
            members=assessment.members,
            learners=assessment.learners,
            level1_decision_date=assessment.level1_decision_date,
        ),
    )
    for answer in answers:
        repo.record_answer(session, actor=actor, assessment_id=assessment_id, answer=answer)
    return assessment_id


def _add_evidence(
    session: Session,
    *,
    actor: Actor,
    assessment_id: int,
    items: list[tuple[str, str]],
    repo: AssessmentRepository,
) -> int:
    """One batch: add evidence references from the front of `items` for about
    `IMPORT_BATCH_S` (at least one); return how many were added."""
    started = time.perf_counter()
    added = 0
    for indicator_id, title in items:
        repo.add_evidence(
            session,
            actor=actor,
            assessment_id=assessment_id,
            evidence=EvidenceInput(kind="reference", title=title, indicator_ids=(indicator_id,)),
        )
        added += 1
        if time.perf_counter() - started >= IMPORT_BATCH_S:
            break
    return added
