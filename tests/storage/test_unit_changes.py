"""Correcting a unit's details (issue 12, item 3), on SQLite and PostgreSQL: admins only, one
audit row per changed field with the old and new value, the assessment's totals (and so every
ratio) follow, and a change the stored answers do not allow is refused before anything is
written."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from conversations.errors import AccessDenied
from conversations.records import Actor, UnitChange
from dvht_core.errors import InputError
from dvht_core.evaluate import evaluate
from dvht_core.loader import load_rulebook
from storage.assessments import AssessmentRepository
from storage.db import Database
from storage.dialogue_store import SqlDialogueStore
from storage.people import PersonRepository
from storage.schemas import (
    AnswerInput,
    AssessmentTotals,
    EvidenceInput,
    NewPerson,
    NewUnit,
    UnitChanges,
)
from storage.tables import AuditEntry, Membership
from storage.units import UnitRepository
from storage.uow import read, transaction

OPERATOR = Actor.operator()
YEAR = 2025
units, assessments = UnitRepository(), AssessmentRepository()


async def _unit(database: Database, unit_type: str = "ubnd_xa", members: int = 30) -> int:
    def work(session: Session) -> int:
        unit = units.create(
            session,
            actor=OPERATOR,
            data=NewUnit(
                name="UBND xã Hòa Bình", tier="huyen", unit_type=unit_type, province="Hà Nội"
            ),
        )
        assessment_id = assessments.get_or_create(
            session, actor=OPERATOR, unit_id=unit.id, year=YEAR
        )
        assessments.set_totals(
            session,
            actor=OPERATOR,
            assessment_id=assessment_id,
            totals=AssessmentTotals(members=members),
        )
        return unit.id

    return await transaction(database, work)


async def _person(database: Database, unit_id: int, role: str, external_id: str) -> Actor:
    def work(session: Session) -> int:
        person = PersonRepository().get_or_create(
            session,
            data=NewPerson(
                display_name="Trần Thị Lan", channel="telegram", external_id=external_id
            ),
        )
        session.add(Membership(person_id=person.id, unit_id=unit_id, role=role))
        return person.id

    return Actor.person(await transaction(database, work))


async def _answer(database: Database, unit_id: int, indicator_id: str, **value: Any) -> None:
    def work(session: Session) -> None:
        assessment_id = assessments.get_or_create(
            session, actor=OPERATOR, unit_id=unit_id, year=YEAR
        )
        assessments.record_answer(
            session,
            actor=OPERATOR,
            assessment_id=assessment_id,
            answer=AnswerInput(indicator_id=indicator_id, value=value),
        )
        assessments.add_evidence(
            session,
            actor=OPERATOR,
            assessment_id=assessment_id,
            evidence=EvidenceInput(
                kind="reference", title=f"Văn bản {indicator_id}", indicator_ids=(indicator_id,)
            ),
        )

    await transaction(database, work)


async def _update(
    database: Database, actor: Actor, unit_id: int, **changes: Any
) -> tuple[UnitChange, ...]:
    def work(session: Session) -> tuple[UnitChange, ...]:
        return units.update(
            session, actor=actor, unit_id=unit_id, year=YEAR, changes=UnitChanges(**changes)
        )

    return await transaction(database, work)


async def _state(database: Database, unit_id: int) -> tuple[Any, Any, list[UnitChange], int]:
    """The unit, its 2025 assessment, the history, and the number of audit rows."""

    def work(session: Session) -> tuple[Any, Any, list[UnitChange], int]:
        unit = units.get(session, actor=OPERATOR, unit_id=unit_id)
        record = assessments.load(session, actor=OPERATOR, unit_id=unit_id, year=YEAR)
        history = units.changes(session, actor=OPERATOR, unit_id=unit_id)
        rows = session.exec(select(func.count()).select_from(AuditEntry)).one()  # type: ignore[call-overload]
        return unit, record, history, int(rows[0])

    return await read(database, work)


async def test_an_admin_changes_the_details_and_the_history_keeps_each_change(
    database: Database,
) -> None:
    unit_id = await _unit(database)
    admin = await _person(database, unit_id, "unit_admin", "tg-admin")

    done = await _update(
        database, admin, unit_id, name="UBND xã Hòa Bình Mới", province="Hà Nội", members=42
    )

    assert [(c.field, c.old, c.new, c.year) for c in done] == [
        ("name", "UBND xã Hòa Bình", "UBND xã Hòa Bình Mới", None),
        ("members", 30, 42, YEAR),
    ]  # the province was already Hà Nội: no change, no history row
    unit, record, history, _ = await _state(database, unit_id)
    assert unit.name == "UBND xã Hòa Bình Mới"
    assert record.members == 42
    assert [(c.field, c.old, c.new, c.year, c.by) for c in history] == [
        ("name", "UBND xã Hòa Bình", "UBND xã Hòa Bình Mới", None, "Trần Thị Lan"),
        ("members", 30, 42, YEAR, "Trần Thị Lan"),
    ]
    assert all(c.at is not None for c in history)

    await _update(database, OPERATOR, unit_id, members=40)
    _, record, history, _ = await _state(database, unit_id)
    assert record.members == 40
    assert (history[-1].old, history[-1].new, history[-1].by) == (42, 40, "cli")


async def test_a_member_may_not_change_the_details(database: Database) -> None:
    unit_id = await _unit(database)
    member = await _person(database, unit_id, "member", "tg-member")
    _, _, _, audit_before = await _state(database, unit_id)

    with pytest.raises(AccessDenied):
        await _update(database, member, unit_id, members=42)
    with pytest.raises(AccessDenied):
        await _update(database, member, unit_id, name="Tên khác")

    unit, record, history, audit_after = await _state(database, unit_id)
    assert (unit.name, record.members, history, audit_after) == (
        "UBND xã Hòa Bình",
        30,
        [],
        audit_before,
    )


async def test_every_ratio_follows_the_new_total(database: Database) -> None:
    unit_id = await _unit(database, members=30)
    await _answer(database, unit_id, "2.1", count=28)
    rulebook = load_rulebook("tt24-huyen")

    async def level_of_2_1() -> int | None:
        def work(session: Session) -> int | None:
            from conversations.context import Context
            from conversations.records import PersonRecord
            from dvht_core import vietnam_time

            record = assessments.load(session, actor=OPERATOR, unit_id=unit_id, year=YEAR)
            assert record is not None
            context = Context(PersonRecord(0, "x"), (), record.unit, record, vietnam_time.today())
            assessment = context.as_assessment()
            assert assessment is not None
            return evaluate(rulebook, assessment).indicators["2.1"].level

        return await read(database, work)

    assert await level_of_2_1() == 1  # 28/30 = 93.3% ≥ 90%
    await _update(database, OPERATOR, unit_id, members=42)
    assert await level_of_2_1() == 0  # 28/42 = 66.7% < 90%


async def test_a_total_below_an_answered_count_is_refused_and_nothing_changes(
    database: Database,
) -> None:
    unit_id = await _unit(database, members=30)
    await _answer(database, unit_id, "2.1", count=28)
    _, _, _, audit_before = await _state(database, unit_id)

    with pytest.raises(InputError) as refused:
        await _update(database, OPERATOR, unit_id, name="Tên mới", members=20)

    assert "chỉ tiêu 2.1" in refused.value.message
    assert "(28) lớn hơn tổng số thành viên (20)" in refused.value.message
    unit, record, history, audit_after = await _state(database, unit_id)
    assert (unit.name, record.members, history) == ("UBND xã Hòa Bình", 30, [])
    assert audit_after == audit_before


async def test_a_type_of_the_same_tier_keeps_the_answers_and_evaluates_its_own_plan(
    database: Database,
) -> None:
    """pho_thong → co_quan: 3.4 (schools' digital level) no longer applies. Its answer stays
    stored (changing back brings it back) but is not evaluated."""
    unit_id = await _unit(database, unit_type="pho_thong")
    await _answer(database, unit_id, "3.4", dt_level="tot")

    done = await _update(database, OPERATOR, unit_id, unit_type="co_quan")

    assert [(c.field, c.old, c.new) for c in done] == [("unit_type", "pho_thong", "co_quan")]
    unit, record, _, _ = await _state(database, unit_id)
    assert unit.unit_type == "co_quan"
    assert record.answers["3.4"].value == {"dt_level": "tot"}
    assert "3.4" not in load_rulebook("tt24-huyen").plan("co_quan").indicator_ids


async def test_a_type_of_the_other_tier_moves_the_dossier_to_its_rulebook(
    database: Database,
) -> None:
    unit_id = await _unit(database, unit_type="pho_thong")
    await _answer(database, unit_id, "2.1", count=28)

    done = await _update(database, OPERATOR, unit_id, unit_type="pho_thong", tier="tinh")

    assert [(c.field, c.old, c.new) for c in done] == [("tier", "huyen", "tinh")]
    unit, record, _, _ = await _state(database, unit_id)
    assert (unit.tier, record.ruleset_id) == ("tinh", "tt24-tinh")
    assert record.answers["2.1"].value == {"count": 28}


async def test_a_tier_change_the_answers_do_not_allow_is_refused(database: Database) -> None:
    """gdnn: 3.5 is an accreditation at cấp huyện and a digital level at cấp tỉnh."""
    unit_id = await _unit(database, unit_type="gdnn")
    await _answer(database, unit_id, "3.5", met=True)

    with pytest.raises(InputError) as refused:
        await _update(database, OPERATOR, unit_id, tier="tinh")

    assert "chỉ tiêu 3.5" in refused.value.message
    unit, record, history, _ = await _state(database, unit_id)
    assert (unit.tier, record.ruleset_id, history) == ("huyen", "tt24-huyen", [])


async def test_a_tier_change_is_refused_while_a_dossier_is_submitted(database: Database) -> None:
    unit_id = await _unit(database, unit_type="pho_thong")

    def submit(session: Session) -> None:
        assessment_id = assessments.get_or_create(
            session, actor=OPERATOR, unit_id=unit_id, year=YEAR
        )
        for status in ("self_assessed", "submitted"):
            assessments.set_status(
                session, actor=OPERATOR, assessment_id=assessment_id, status=status
            )

    await transaction(database, submit)
    with pytest.raises(InputError) as refused:
        await _update(database, OPERATOR, unit_id, tier="tinh")
    assert "đã nộp" in refused.value.message
    with pytest.raises(InputError):
        await _update(database, OPERATOR, unit_id, members=50)
    unit, record, _, _ = await _state(database, unit_id)
    assert (unit.tier, record.members) == ("huyen", 30)


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"unit_type": "dai_hoc", "tier": "huyen"}, "không được đánh giá ở cấp huyện"),
        ({"unit_type": "truong_hoc"}, "không có loại đơn vị “truong_hoc”"),
    ],
)
async def test_an_impossible_type_is_refused(
    database: Database, changes: dict[str, str], fragment: str
) -> None:
    unit_id = await _unit(database)
    with pytest.raises(InputError) as refused:
        await _update(database, OPERATOR, unit_id, **changes)
    assert fragment in refused.value.message


async def test_a_single_tier_type_brings_its_tier(database: Database) -> None:
    unit_id = await _unit(database, unit_type="co_quan")
    done = await _update(database, OPERATOR, unit_id, unit_type="dai_hoc")
    assert {(c.field, c.new) for c in done} == {("tier", "tinh"), ("unit_type", "dai_hoc")}


async def test_the_chat_adapter_changes_as_the_admin(database: Database) -> None:
    unit_id = await _unit(database)
    admin = await _person(database, unit_id, "unit_admin", "tg-admin")
    member = await _person(database, unit_id, "member", "tg-member")
    store = SqlDialogueStore(database)
    admin_id, member_id = admin.person_id, member.person_id
    assert admin_id is not None
    assert member_id is not None

    done = await store.run(
        lambda tx: tx.update_unit(
            person_id=admin_id, unit_id=unit_id, year=YEAR, changes={"members": 42}
        )
    )
    assert [(c.field, c.old, c.new) for c in done] == [("members", 30, 42)]
    with pytest.raises(AccessDenied):
        await store.run(
            lambda tx: tx.update_unit(
                person_id=member_id, unit_id=unit_id, year=YEAR, changes={"members": 50}
            )
        )
    _, record, _, _ = await _state(database, unit_id)
    assert record.members == 42


def test_totals_below_one_are_refused_by_the_input_model() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        UnitChanges(members=0)
    with pytest.raises(ValidationError):
        UnitChanges(learners=1_000_001)
    with pytest.raises(ValidationError):
        UnitChanges(name="\u200b")
