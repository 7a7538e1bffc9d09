"""Loading many units' progress for the dispatcher (`storage.progress_store`), on SQLite and on
PostgreSQL: the same records as the chat reads, the first-answer dates of the forecast, units
not started, and the reviewers' scope (not submitted, in the office)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import bindparam, text
from sqlmodel import Session

from conversations.records import Actor
from dvht_core import vietnam_time
from reminders.compose import reminder_messages
from storage.assessments import AssessmentRepository
from storage.db import Database
from storage.people import PersonRepository
from storage.progress_store import load_progress, office_units_progress
from storage.schemas import (
    AnswerInput,
    AssessmentTotals,
    EvidenceInput,
    NewOffice,
    NewPerson,
    NewUnit,
)
from storage.tables import Membership
from storage.types import UTCDateTime
from storage.units import OfficeRepository, UnitRepository
from storage.uow import read, transaction

OPERATOR = Actor.operator()
YEAR = 2026
units, people = UnitRepository(), PersonRepository()
assessments, offices = AssessmentRepository(), OfficeRepository()


async def _office(database: Database, name: str = "Phòng Văn hóa – Xã hội xã Quảng Phú") -> int:
    def work(session: Session) -> int:
        return offices.create(session, actor=OPERATOR, data=NewOffice(name=name, province="Huế"))

    return await transaction(database, work)


async def _unit(database: Database, name: str, office_id: int | None = None, **kw: Any) -> int:
    fields = {"tier": "huyen", "unit_type": "ubnd_xa", "province": "Thành phố Huế", **kw}
    data = NewUnit(name=name, office_id=office_id, **fields)

    def work(session: Session) -> int:
        return units.create(session, actor=OPERATOR, data=data).id

    return await transaction(database, work)


async def _person(database: Database, unit_id: int, external_id: str, name: str) -> Actor:
    def work(session: Session) -> int:
        data = NewPerson(display_name=name, channel="telegram", external_id=external_id)
        person_id = people.get_or_create(session, data=data).id
        session.add(Membership(person_id=person_id, unit_id=unit_id, role="member"))
        return person_id

    return Actor.person(await transaction(database, work))


async def _assessment(database: Database, unit_id: int, members: int = 30) -> int:
    def work(session: Session) -> int:
        assessment_id = assessments.get_or_create(
            session, actor=OPERATOR, unit_id=unit_id, year=YEAR
        )
        totals = AssessmentTotals(members=members)
        assessments.set_totals(session, actor=OPERATOR, assessment_id=assessment_id, totals=totals)
        return assessment_id

    return await transaction(database, work)


async def _answer(
    database: Database,
    actor: Actor,
    assessment_id: int,
    indicator_id: str,
    at: dt.datetime,
    **value: Any,
) -> None:
    """Record an answer as the repositories do, then date it (the history the forecast reads)."""

    def work(session: Session) -> None:
        answer = AnswerInput(indicator_id=indicator_id, value=value)
        assessments.record_answer(session, actor=actor, assessment_id=assessment_id, answer=answer)
        session.connection().execute(
            text(
                "UPDATE answer_revisions SET answered_at = :at WHERE id = "
                "(SELECT max(id) FROM answer_revisions WHERE assessment_id = :a "
                "AND indicator_id = :i)"
            ).bindparams(bindparam("at", type_=UTCDateTime)),
            {"at": at, "a": assessment_id, "i": indicator_id},
        )

    await transaction(database, work)


async def _evidence(database: Database, assessment_id: int, *indicator_ids: str) -> None:
    def work(session: Session) -> None:
        evidence = EvidenceInput(
            kind="reference", title="Kế hoạch số 12/KH-UBND", indicator_ids=indicator_ids
        )
        assessments.add_evidence(
            session, actor=OPERATOR, assessment_id=assessment_id, evidence=evidence
        )

    await transaction(database, work)


async def _status(database: Database, assessment_id: int, status: str) -> None:
    def work(session: Session) -> None:
        session.connection().execute(
            text("UPDATE assessments SET status = :s WHERE id = :a"),
            {"s": status, "a": assessment_id},
        )

    await transaction(database, work)


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=vietnam_time.ZONE)


async def test_load_progress_reads_many_units_as_the_chat_does(database: Database) -> None:
    first = await _unit(database, "UBND xã Quảng Phú")
    second = await _unit(database, "UBND xã Quảng Thọ")
    fresh = await _unit(database, "UBND xã Quảng Vinh")
    lan = await _person(database, first, "1", "Lan")
    minh = await _person(database, first, "2", "Minh")
    a1 = await _assessment(database, first)
    a2 = await _assessment(database, second, members=40)
    # 1.1 first answered at 21:00 on 01/12 and corrected on 05/12: its first day stays 01/12.
    await _answer(database, lan, a1, "1.1", at(dt.date(2026, 12, 1), 21), met=False)
    await _answer(database, minh, a1, "1.1", at(dt.date(2026, 12, 5)), met=True)
    # 06:30 in Vietnam on 03/12 is 23:30 UTC on 02/12: the Vietnam date counts.
    await _answer(database, lan, a1, "2.1", at(dt.date(2026, 12, 3), 6), count=24)
    await _evidence(database, a1, "1.1")
    await _answer(database, OPERATOR, a2, "1.1", at(dt.date(2026, 11, 20)), met=True)

    loaded = await load_progress(database, [first, second, fresh, 9999], YEAR)
    assert sorted(loaded) == [first, second, fresh]  # an unknown id is simply absent

    one = loaded[first]
    record = one.assessment
    assert (record.id, record.unit.name, record.year, record.members) == (
        a1,
        "UBND xã Quảng Phú",
        YEAR,
        30,
    )
    assert record.answers["1.1"].value == {"met": True}  # the latest revision counts
    assert record.answers["1.1"].answered_by_name == "Minh"
    assert vietnam_time.today(record.answers["1.1"].first_answered_at) == dt.date(2026, 12, 1)
    assert sorted(one.completions) == [dt.date(2026, 12, 1), dt.date(2026, 12, 3)]
    assert [e.title for e in record.evidence_for("1.1")] == ["Kế hoạch số 12/KH-UBND"]
    assert record.evidence_for("2.1") == ()
    assert one.started
    assert not one.submitted

    # The same records as the chat's loader (`assessment_sql`), answer for answer.
    def chat(session: Session) -> Any:
        return assessments.load(session, actor=OPERATOR, unit_id=first, year=YEAR)

    assert await read(database, chat) == record

    other = loaded[second]
    assert other.assessment.answers["1.1"].answered_by is None
    assert other.completions == (dt.date(2026, 11, 20),)

    not_started = loaded[fresh]
    assert not not_started.started
    assert (not_started.assessment.id, not_started.assessment.answers) == (0, {})
    assert not_started.assessment.ruleset_id == "tt24-huyen"
    text_ = reminder_messages(
        "T-30", not_started, deadline=dt.date(2027, 1, 15), today=dt.date(2026, 12, 16)
    )[0].text
    assert "Đơn vị chưa bắt đầu tự đánh giá: cả 13 chỉ tiêu đều chưa trả lời." in text_


async def test_load_progress_of_no_units_reads_nothing(database: Database) -> None:
    assert await load_progress(database, [], YEAR) == {}


async def test_load_progress_reads_only_the_year_asked(database: Database) -> None:
    unit_id = await _unit(database, "UBND xã Quảng Phú")
    lan = await _person(database, unit_id, "1", "Lan")
    assessment_id = await _assessment(database, unit_id)
    await _answer(database, lan, assessment_id, "1.1", at(dt.date(2026, 12, 1)), met=True)
    loaded = await load_progress(database, [unit_id], YEAR + 1)
    assert not loaded[unit_id].started
    assert loaded[unit_id].assessment.answers == {}


async def test_office_units_progress_lists_the_units_not_submitted(database: Database) -> None:
    office = await _office(database)
    elsewhere = await _office(database, "Sở Giáo dục và Đào tạo")
    drafting = await _unit(database, "UBND xã A", office)
    returned = await _unit(database, "UBND xã B", office)
    submitted = await _unit(database, "UBND xã C", office)
    recognised = await _unit(database, "UBND xã D", office)
    not_started = await _unit(database, "UBND xã E", office)
    await _unit(database, "UBND xã F", elsewhere)
    inactive = await _unit(database, "UBND xã G", office)
    for unit_id, status in (
        (drafting, "draft"),
        (returned, "returned"),
        (submitted, "submitted"),
        (recognised, "recognised"),
    ):
        assessment_id = await _assessment(database, unit_id)
        await _status(database, assessment_id, status)

    def deactivate(session: Session) -> None:
        session.connection().execute(
            text("UPDATE units SET active = :no WHERE id = :u"), {"no": False, "u": inactive}
        )

    await transaction(database, deactivate)
    found = await office_units_progress(database, office, YEAR)
    assert [p.unit_id for p in found] == [drafting, returned, not_started]
    assert [p.started for p in found] == [True, True, False]
    assert {p.assessment.unit.office_name for p in found} == {
        "Phòng Văn hóa – Xã hội xã Quảng Phú"
    }
    # Next year nothing is started, so every active unit of the office is listed, by id.
    next_year = await office_units_progress(database, office, YEAR + 1)
    assert [p.unit_id for p in next_year] == [
        drafting,
        returned,
        submitted,
        recognised,
        not_started,
    ]


async def test_a_batch_of_units_is_loaded_whole(database: Database, monkeypatch: Any) -> None:
    """More units than one statement takes (`BATCH`, made small here) come back all."""
    import storage.progress_store as store

    monkeypatch.setattr(store, "BATCH", 2)
    ids = [await _unit(database, f"UBND xã số {n}") for n in range(5)]
    for unit_id in ids[::2]:
        await _assessment(database, unit_id)
    loaded = await load_progress(database, ids, YEAR)
    assert sorted(loaded) == ids
    assert [loaded[i].started for i in ids] == [True, False, True, False, True]
