"""Removing and renaming evidence (issue 12), run against SQLite always and PostgreSQL when
configured: a removal takes the item off one indicator only, marks the link with who and when
and keeps the item, its file and an audit row; a rename keeps the old title in the audit log;
members of another unit, and a submitted assessment, are refused."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import Session

from conversations.errors import AccessDenied, NotFound
from conversations.records import Actor
from storage.assessments import AssessmentRepository
from storage.db import Database
from storage.schemas import EvidenceInput
from storage.tables import AuditEntry, Evidence, EvidenceIndicator
from storage.uow import read, transaction
from tests.storage.test_repositories import _assessment, _member, _unit

OPERATOR = Actor.operator()
assessments = AssessmentRepository()
KH = "Kế hoạch số 12/KH-UBND ngày 10/01/2025"


async def _item(database: Database, assessment_id: int, *indicators: str) -> int:
    def work(session: Session) -> int:
        evidence = EvidenceInput(kind="reference", title=KH, indicator_ids=indicators)
        return assessments.add_evidence(
            session, actor=OPERATOR, assessment_id=assessment_id, evidence=evidence
        ).id

    return await transaction(database, work)


async def _titles(database: Database, unit_id: int, indicator_id: str) -> list[str]:
    def work(session: Session) -> list[str]:
        record = assessments.load(session, actor=OPERATOR, unit_id=unit_id, year=2025)
        assert record is not None
        return [e.title for e in record.evidence_for(indicator_id)]

    return await read(database, work)


async def _audit(database: Database, action: str) -> list[dict[str, Any]]:
    def work(session: Session) -> list[dict[str, Any]]:
        rows = session.exec(select(AuditEntry).where(AuditEntry.action == action))  # type: ignore[call-overload]
        return [dict(row[0].details) for row in rows]

    return await read(database, work)


async def test_removal_takes_the_item_off_one_indicator_and_keeps_everything(
    database: Database,
) -> None:
    unit_id = await _unit(database)
    assessment_id = await _assessment(database, unit_id)
    member = await _member(database, unit_id, "tg-1")
    item = await _item(database, assessment_id, "1.1", "1.4")

    def remove(session: Session) -> str:
        actor = Actor.person(member)
        return assessments.remove_evidence(
            session, actor=actor, evidence_id=item, indicator_id="1.1"
        )

    assert await transaction(database, remove) == KH
    assert await _titles(database, unit_id, "1.1") == []
    assert await _titles(database, unit_id, "1.4") == [KH], "only off the one indicator"

    def kept(session: Session) -> tuple[Any, ...]:
        link = session.get(EvidenceIndicator, (item, "1.1"))
        assert link is not None
        return (session.get(Evidence, item) is not None, link.removed_at, link.removed_by)

    exists, removed_at, removed_by = await read(database, kept)
    assert exists
    assert removed_at is not None
    assert removed_by == member
    assert await _audit(database, "evidence.remove") == [
        {"assessment_id": assessment_id, "evidence_id": item, "indicator": "1.1", "title": KH}
    ]
    with pytest.raises(NotFound):  # removed once: not again
        await transaction(database, remove)


async def test_rename_keeps_the_old_title_in_the_audit_log(database: Database) -> None:
    unit_id = await _unit(database)
    assessment_id = await _assessment(database, unit_id)
    item = await _item(database, assessment_id, "1.1")

    def rename(session: Session) -> str:
        return assessments.rename_evidence(
            session, actor=OPERATOR, evidence_id=item, indicator_id="1.1", title="KH 12/2025"
        )

    assert await transaction(database, rename) == KH
    assert await _titles(database, unit_id, "1.1") == ["KH 12/2025"]
    assert await _audit(database, "evidence.rename") == [
        {"evidence_id": item, "from": KH, "to": "KH 12/2025"}
    ]


async def test_another_units_member_and_a_submitted_assessment_are_refused(
    database: Database,
) -> None:
    unit_id = await _unit(database)
    assessment_id = await _assessment(database, unit_id)
    item = await _item(database, assessment_id, "1.1")
    other_unit = await _unit(database)
    stranger = await _member(database, other_unit, "tg-2")

    def remove_as(actor: Actor) -> Any:
        return lambda session: assessments.remove_evidence(
            session, actor=actor, evidence_id=item, indicator_id="1.1"
        )

    with pytest.raises(AccessDenied):
        await transaction(database, remove_as(Actor.person(stranger)))

    def submit(session: Session) -> None:
        for status in ("self_assessed", "submitted"):
            assessments.set_status(
                session, actor=OPERATOR, assessment_id=assessment_id, status=status
            )

    await transaction(database, submit)
    with pytest.raises(AccessDenied):
        await transaction(database, remove_as(OPERATOR))
    assert await _titles(database, unit_id, "1.1") == [KH]
