"""The roster in the database (issue 16, item 2), on SQLite always and PostgreSQL when
configured: staging changes nothing, confirming records the counts as answers (history kept),
sets the totals, links the file as one evidence item of every indicator and supersedes the
earlier roster; a submitted dossier, another unit's member and a stale preview are refused."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import Session

from conversations.errors import AccessDenied
from conversations.messages import StoredEvidence
from conversations.records import Actor
from conversations.submission import DossierLocked
from dvht_core.errors import InputError
from dvht_core.roster import LearnerClass, Roster, RosterMember, RosterNotPending
from storage import roster_store
from storage.assessments import AssessmentRepository
from storage.db import Database
from storage.tables import AuditEntry, EvidenceIndicator
from storage.uow import read, transaction
from tests.storage.test_repositories import _answer, _assessment, _member, _unit

OPERATOR = Actor.operator()
assessments = AssessmentRepository()
IDS = ("2.1", "2.2", "2.3", "2.4", "2.5", "3.1")
STORED = StoredEvidence(
    sha256="ab" * 32,
    storage_key="sha256/ab/ab/" + "ab" * 32,
    size=12_345,
    mime_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    original_name="danh sách.xlsx",
)


def _roster(members: int, marked: dict[str, int], ids: tuple[str, ...] = IDS) -> Roster:
    """`members` people; the first `marked[id]` of them are marked for each indicator."""
    people = tuple(
        RosterMember(
            row=4 + n,
            name=f"Người {n}",
            position="Công chức",
            marks=frozenset(i for i in ids if n < marked.get(i, 0)),
        )
        for n in range(members)
    )
    return Roster(ids, people)


async def _stage(database: Database, actor: Actor, assessment_id: int, roster: Roster) -> int:
    return await transaction(
        database,
        lambda session: roster_store.stage_roster(
            session, actor=actor, assessment_id=assessment_id, roster=roster, stored=STORED
        ),
    )


async def _confirm(database: Database, actor: Actor, roster_id: int) -> Any:
    return await transaction(
        database,
        lambda session: roster_store.confirm_roster(session, actor=actor, roster_id=roster_id),
    )


async def _record(database: Database, unit_id: int) -> Any:
    return await read(
        database,
        lambda session: assessments.load(session, actor=OPERATOR, unit_id=unit_id, year=2025),
    )


async def test_staging_changes_nothing_confirming_records_with_history(database: Database) -> None:
    unit_id = await _unit(database)
    assessment_id = await _assessment(database, unit_id, members=30)
    member = await _member(database, unit_id, "tg-1")
    await _answer(database, OPERATOR, assessment_id, "2.1", count=20)
    marked = {"2.1": 40, "2.2": 42, "2.3": 30, "2.4": 10, "2.5": 35, "3.1": 41}
    roster_id = await _stage(database, Actor.person(member), assessment_id, _roster(42, marked))

    before = await _record(database, unit_id)
    assert before.members == 30
    assert before.answers["2.1"].value == {"count": 20}
    assert set(before.answers) == {"2.1"}

    confirmed = await _confirm(database, Actor.person(member), roster_id)
    assert confirmed.counts == marked
    assert confirmed.members == 42
    assert confirmed.learners is None

    after = await _record(database, unit_id)
    assert after.members == 42
    assert {i: after.answers[i].value["count"] for i in IDS} == marked
    history = await read(
        database,
        lambda session: assessments.history(
            session, actor=OPERATOR, assessment_id=assessment_id, indicator_id="2.1"
        ),
    )
    assert [h.value["count"] for h in history] == [20, 40], "the typed answer is kept"
    (item,) = [e for e in after.evidence if e.title == roster_store.EVIDENCE_TITLE]
    assert item.id == confirmed.evidence_id
    assert set(item.indicator_ids) == set(IDS), "one item linked to every indicator"
    assert item.sha256 == STORED.sha256

    latest = await read(
        database, lambda s: roster_store.latest_roster(s, assessment_id=assessment_id)
    )
    assert latest is not None
    assert latest.members[0].name == "Người 0"
    assert latest.count("2.4") == 10

    def actions(session: Session) -> list[str]:
        rows = session.exec(select(AuditEntry.action))  # type: ignore[call-overload]
        return [row[0] for row in rows]

    logged = await read(database, actions)
    assert logged.count("roster.stage") == 1
    assert logged.count("roster.confirm") == 1
    assert logged.count("answer.record") == 1 + len(IDS)


async def test_a_roster_is_confirmed_once_and_a_newer_one_supersedes(database: Database) -> None:
    unit_id = await _unit(database)
    assessment_id = await _assessment(database, unit_id)
    first = await _stage(database, OPERATOR, assessment_id, _roster(10, {"2.1": 9}))
    second = await _stage(database, OPERATOR, assessment_id, _roster(10, {"2.1": 10}))
    with pytest.raises(RosterNotPending) as stale:
        await _confirm(database, OPERATOR, first)
    assert stale.value.state == "superseded"
    confirmed = await _confirm(database, OPERATOR, second)
    with pytest.raises(RosterNotPending) as twice:
        await _confirm(database, OPERATOR, second)
    assert twice.value.state == "confirmed"

    third = await _stage(database, OPERATOR, assessment_id, _roster(12, {"2.1": 12}))
    latest = await read(
        database, lambda s: roster_store.latest_roster(s, assessment_id=assessment_id)
    )
    assert latest is not None
    assert latest.total_members == 10, "a staged roster is not the latest until confirmed"
    newer = await _confirm(database, OPERATOR, third)
    record = await _record(database, unit_id)
    items = [e for e in record.evidence if e.title == roster_store.EVIDENCE_TITLE]
    assert [e.id for e in items] == [newer.evidence_id], "the earlier list is taken off"

    def link(session: Session) -> Any:
        return session.get(EvidenceIndicator, (confirmed.evidence_id, "2.1"))

    old_link = await read(database, link)
    assert old_link.removed_at is not None, "kept, marked removed"

    def removals(session: Session) -> list[dict[str, Any]]:
        rows = session.exec(select(AuditEntry).where(AuditEntry.action == "evidence.remove"))
        return [row.details for row in rows.scalars()]

    removed = await read(database, removals)
    assert {d["evidence_id"] for d in removed} == {confirmed.evidence_id}
    assert {d["indicator"] for d in removed} == set(confirmed.counts), (
        "each link of the earlier list audited as “xóa minh chứng” is"
    )
    assert {d["title"] for d in removed} == {roster_store.EVIDENCE_TITLE}


async def test_a_missing_column_keeps_the_typed_answer_unless_it_exceeds_the_total(
    database: Database,
) -> None:
    unit_id = await _unit(database)
    assessment_id = await _assessment(database, unit_id, members=50)
    await _answer(database, OPERATOR, assessment_id, "2.5", count=45)
    without_25 = tuple(i for i in IDS if i != "2.5")
    staged = await _stage(
        database, OPERATOR, assessment_id, _roster(42, {"2.1": 42}, ids=without_25)
    )
    with pytest.raises(InputError) as refused:
        await _confirm(database, OPERATOR, staged)
    assert refused.value.message == (
        "Chưa ghi được: chỉ tiêu 2.5 đã trả lời 45 người, nhiều hơn 42 thành viên theo danh "
        "sách; hãy sửa câu trả lời chỉ tiêu 2.5 trước, hoặc thêm cột chỉ tiêu đó vào danh sách."
    )
    record = await _record(database, unit_id)
    assert record.members == 50, "nothing written"
    assert set(record.answers) == {"2.5"}

    fits = await _stage(
        database, OPERATOR, assessment_id, _roster(46, {"2.1": 46}, ids=without_25)
    )
    confirmed = await _confirm(database, OPERATOR, fits)
    assert "2.5" not in confirmed.counts
    record = await _record(database, unit_id)
    assert record.answers["2.5"].value == {"count": 45}


async def test_learners_of_a_tinh_school(database: Database) -> None:
    from storage.schemas import NewUnit
    from storage.units import UnitRepository

    school = NewUnit(
        name="Trường THPT Chu Văn An", tier="tinh", unit_type="pho_thong", province="Hà Nội"
    )
    unit_id = await transaction(
        database, lambda s: UnitRepository().create(s, actor=OPERATOR, data=school).id
    )
    assessment_id = await _assessment(database, unit_id, members=20)
    roster = Roster(
        IDS,
        _roster(20, dict.fromkeys(IDS, 20)).members,
        classes=(LearnerClass(3, "10A1", 40, 38), LearnerClass(4, "10A2", 42, 41)),
    )
    staged = await _stage(database, OPERATOR, assessment_id, roster)
    confirmed = await _confirm(database, OPERATOR, staged)
    assert (confirmed.learners, confirmed.learners_citizens) == (82, 79)
    record = await _record(database, unit_id)
    assert record.learners == 82
    assert record.answers["3.1"].value == {"count": 20, "learners_count": 79}


async def test_a_submitted_dossier_and_another_units_member_are_refused(
    database: Database,
) -> None:
    unit_id = await _unit(database)
    assessment_id = await _assessment(database, unit_id)
    stranger = await _member(database, await _unit(database), "tg-9")
    with pytest.raises(AccessDenied):
        await _stage(database, Actor.person(stranger), assessment_id, _roster(3, {}))
    staged = await _stage(database, OPERATOR, assessment_id, _roster(3, {"2.1": 3}))
    with pytest.raises(AccessDenied):
        await _confirm(database, Actor.person(stranger), staged)

    def submit(session: Session) -> None:
        for status in ("self_assessed", "submitted"):
            assessments.set_status(
                session, actor=OPERATOR, assessment_id=assessment_id, status=status
            )

    await transaction(database, submit)
    with pytest.raises(DossierLocked):
        await _confirm(database, OPERATOR, staged)
    with pytest.raises(DossierLocked):
        await _stage(database, OPERATOR, assessment_id, _roster(3, {}))
    record = await _record(database, unit_id)
    assert record.answers == {}


async def test_a_roster_without_indicator_columns_records_nothing(database: Database) -> None:
    unit_id = await _unit(database)
    assessment_id = await _assessment(database, unit_id, members=30)
    staged = await _stage(database, OPERATOR, assessment_id, _roster(5, {}, ids=()))
    with pytest.raises(InputError) as refused:
        await _confirm(database, OPERATOR, staged)
    assert refused.value.message == roster_store.NOTHING_TO_RECORD
    assert (await _record(database, unit_id)).members == 30


async def test_one_roster_confirmed_by_four_at_once_is_recorded_once(database: Database) -> None:
    import asyncio

    unit_id = await _unit(database)
    assessment_id = await _assessment(database, unit_id)
    staged = await _stage(database, OPERATOR, assessment_id, _roster(8, {"2.1": 7}))

    async def confirm() -> str:
        try:
            await _confirm(database, OPERATOR, staged)
        except RosterNotPending as stale:
            return stale.state
        return "recorded"

    outcomes = await asyncio.gather(*(confirm() for _ in range(4)))
    assert sorted(outcomes) == ["confirmed", "confirmed", "confirmed", "recorded"]
    record = await _record(database, unit_id)
    assert len([e for e in record.evidence if e.title == roster_store.EVIDENCE_TITLE]) == 1
    history = await read(
        database,
        lambda session: assessments.history(
            session, actor=OPERATOR, assessment_id=assessment_id, indicator_id="2.1"
        ),
    )
    assert [h.value for h in history] == [{"count": 7}]
