"""Several members of one unit at the same moment: nobody's answer is lost."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlmodel import Session

from conversations.errors import InviteInvalid, StaleState
from conversations.records import Actor
from storage.assessments import AssessmentRepository
from storage.db import Database
from storage.dialogue_store import SqlDialogueStore
from storage.invites import InviteRepository
from storage.people import PersonRepository
from storage.schemas import AnswerInput, AssessmentTotals, NewInvite, NewPerson, NewUnit
from storage.units import UnitRepository
from storage.uow import read, transaction

OPERATOR = Actor.operator()
repo = AssessmentRepository()


async def _setup(database: Database) -> tuple[int, int, list[int]]:
    def work(session: Session) -> tuple[int, int, list[int]]:
        unit = UnitRepository().create(
            session,
            actor=OPERATOR,
            data=NewUnit(
                name="UBND xã Quảng Lợi", tier="huyen", unit_type="ubnd_xa", province="Huế"
            ),
        )
        assessment_id = repo.get_or_create(session, actor=OPERATOR, unit_id=unit.id, year=2025)
        repo.set_totals(
            session,
            actor=OPERATOR,
            assessment_id=assessment_id,
            totals=AssessmentTotals(members=40),
        )
        people = []
        for n in range(4):
            person = PersonRepository().get_or_create(
                session,
                data=NewPerson(
                    display_name=f"Thành viên {n}", channel="zalo", external_id=f"z{n}"
                ),
            )
            people.append(person.id)
        return unit.id, assessment_id, people

    return await transaction(database, work)


async def _answer(
    database: Database, actor: Actor, assessment_id: int, indicator: str, value: dict[str, Any]
) -> None:
    def work(session: Session) -> None:
        repo.record_answer(
            session,
            actor=actor,
            assessment_id=assessment_id,
            answer=AnswerInput(indicator_id=indicator, value=value),
        )

    await transaction(database, work)


async def test_members_answering_different_indicators_at_once_keep_both(
    database: Database,
) -> None:
    unit_id, assessment_id, _ = await _setup(database)
    await asyncio.gather(
        *(
            _answer(database, OPERATOR, assessment_id, f"2.{n}", {"count": 30 + n})
            for n in range(1, 6)
        ),
        _answer(database, OPERATOR, assessment_id, "1.1", {"met": True}),
    )

    def _in_session_1(session: Session) -> Any:
        return repo.load(session, actor=OPERATOR, unit_id=unit_id, year=2025)

    record = await read(database, _in_session_1)
    assert record is not None
    assert {i: a.value for i, a in record.answers.items()} == {
        "1.1": {"met": True},
        **{f"2.{n}": {"count": 30 + n} for n in range(1, 6)},
    }


async def test_two_edits_of_the_same_indicator_are_both_in_history(database: Database) -> None:
    _, assessment_id, _ = await _setup(database)
    await asyncio.gather(
        *(
            _answer(database, OPERATOR, assessment_id, "2.4", {"count": c})
            for c in (20, 21, 22, 23)
        )
    )

    def _in_session_2(session: Session) -> Any:
        return repo.history(
            session, actor=OPERATOR, assessment_id=assessment_id, indicator_id="2.4"
        )

    history = await read(database, _in_session_2)
    assert sorted(h.value["count"] for h in history) == [20, 21, 22, 23]


async def test_a_single_use_invite_raced_by_two_people_admits_one(database: Database) -> None:
    unit_id, _, people = await _setup(database)

    def invite(session: Session) -> str:
        data = NewInvite(unit_id=unit_id, max_uses=1)
        return (InviteRepository().create(session, actor=OPERATOR, data=data)).code

    code = await transaction(database, invite)

    async def redeem(person_id: int) -> str:
        def work(session: Session) -> str:
            InviteRepository().redeem(session, code=code, person_id=person_id)
            return "joined"

        try:
            return await transaction(database, work)
        except InviteInvalid as exc:
            return exc.reason

    outcomes = await asyncio.gather(*(redeem(p) for p in people))
    assert sorted(outcomes) == ["joined", "used_up", "used_up", "used_up"]


async def test_two_saves_of_one_conversation_from_the_same_version(database: Database) -> None:
    store = SqlDialogueStore(database)

    async def save(step: str, version: int) -> int:
        return await store.run(
            lambda tx: tx.save_state(
                channel="zalo", user_id="z1", state={"step": step}, version=version
            )
        )

    await save("2.1", 0)
    outcomes = await asyncio.gather(save("2.2", 1), save("2.3", 1), return_exceptions=True)
    assert sorted(type(o).__name__ for o in outcomes) == ["StaleState", "int"]
    assert any(isinstance(o, StaleState) for o in outcomes)
    with pytest.raises(StaleState):
        await save("late", 1)
