"""Repository contract tests, run against SQLite always and PostgreSQL when configured."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from conversations.errors import AccessDenied, InviteInvalid, StaleState
from conversations.records import Actor
from dvht_core.errors import InputError
from storage.assessments import AssessmentRepository
from storage.dialogue import ConversationStateRepository, ProcessedUpdateRepository
from storage.invites import InviteRepository, hash_code
from storage.people import PersonRepository
from storage.schemas import (
    AnswerInput,
    AssessmentTotals,
    EvidenceInput,
    NewInvite,
    NewOffice,
    NewPerson,
    NewUnit,
)
from storage.tables import AnswerRevision, AuditEntry, InviteCode, Membership
from storage.types import utcnow
from storage.units import OfficeRepository, UnitRepository
from storage.uow import transaction

Sessions = async_sessionmaker[AsyncSession]
OPERATOR = Actor.operator()
units, people, invites = UnitRepository(), PersonRepository(), InviteRepository()
assessments, offices = AssessmentRepository(), OfficeRepository()


async def _unit(sessions: Sessions, **fields: Any) -> int:
    data = NewUnit(
        name="UBND xã Quảng Phú",
        tier="huyen",
        unit_type="ubnd_xa",
        province="Thành phố Huế",
        **fields,
    )

    async def work(session: AsyncSession) -> int:
        return (await units.create(session, actor=OPERATOR, data=data)).id

    return await transaction(sessions, work)


async def _person(sessions: Sessions, external_id: str, name: str = "Nguyễn Văn An") -> int:
    async def work(session: AsyncSession) -> int:
        data = NewPerson(display_name=name, channel="telegram", external_id=external_id)
        return (await people.get_or_create(session, data=data)).id

    return await transaction(sessions, work)


async def _member(sessions: Sessions, unit_id: int, external_id: str, role: str = "member") -> int:
    person_id = await _person(sessions, external_id)

    async def work(session: AsyncSession) -> None:
        session.add(Membership(person_id=person_id, unit_id=unit_id, role=role))

    await transaction(sessions, work)
    return person_id


async def _assessment(sessions: Sessions, unit_id: int, members: int = 30) -> int:
    async def work(session: AsyncSession) -> int:
        assessment_id = await assessments.get_or_create(
            session, actor=OPERATOR, unit_id=unit_id, year=2025
        )
        await assessments.set_totals(
            session,
            actor=OPERATOR,
            assessment_id=assessment_id,
            totals=AssessmentTotals(members=members),
        )
        return assessment_id

    return await transaction(sessions, work)


async def _answer(
    sessions: Sessions, actor: Actor, assessment_id: int, indicator_id: str, **value: Any
) -> None:
    async def work(session: AsyncSession) -> None:
        await assessments.record_answer(
            session,
            actor=actor,
            assessment_id=assessment_id,
            answer=AnswerInput(indicator_id=indicator_id, value=value),
        )

    await transaction(sessions, work)


async def _count(sessions: Sessions, table: Any) -> int:
    async with sessions() as session:
        return (await session.exec(select(func.count()).select_from(table))).one()[0]


# --- units, people, access --------------------------------------------------------------------


async def test_unit_create_and_list_with_access_checks(sessions: Sessions) -> None:
    unit_id = await _unit(sessions)
    other_id = await _unit(sessions)
    member = await _member(sessions, unit_id, "tg-1")
    async with sessions() as session:
        listed = await units.list(session, actor=Actor.person(member))
        assert [u.id for u in listed] == [unit_id]
        assert [u.id for u in await units.list(session, actor=OPERATOR)] == [unit_id, other_id]
        record = await units.get(session, actor=Actor.person(member), unit_id=unit_id)
        assert record.name == "UBND xã Quảng Phú"
        with pytest.raises(AccessDenied):
            await units.get(session, actor=Actor.person(member), unit_id=other_id)


async def test_creator_becomes_unit_admin(sessions: Sessions) -> None:
    person_id = await _person(sessions, "tg-2")

    async def work(session: AsyncSession) -> int:
        data = NewUnit(
            name="Trường THCS Quảng Phú", tier="huyen", unit_type="pho_thong", province="Huế"
        )
        return (await units.create(session, actor=Actor.person(person_id), data=data)).id

    unit_id = await transaction(sessions, work)
    async with sessions() as session:
        roles = await people.memberships(
            session, actor=Actor.person(person_id), person_id=person_id
        )
    assert [(m.unit_id, m.role) for m in roles] == [(unit_id, "unit_admin")]


async def test_reviewer_reads_units_of_their_office_only(sessions: Sessions) -> None:
    async def make_office(session: AsyncSession) -> int:
        data = NewOffice(name="Phòng Văn hóa - Xã hội", province="Huế")
        return await offices.create(session, actor=OPERATOR, data=data)

    office_id = await transaction(sessions, make_office)
    reviewed = await _unit(sessions, office_id=office_id)
    elsewhere = await _unit(sessions)
    reviewer = await _person(sessions, "tg-reviewer")

    async def appoint(session: AsyncSession) -> None:
        await offices.add_reviewer(
            session, actor=OPERATOR, office_id=office_id, person_id=reviewer
        )

    await transaction(sessions, appoint)
    async with sessions() as session:
        visible = await units.list(session, actor=Actor.person(reviewer))
        assert [u.id for u in visible] == [reviewed]
        assert visible[0].office_name == "Phòng Văn hóa - Xã hội"
        with pytest.raises(AccessDenied):
            await units.get(session, actor=Actor.person(reviewer), unit_id=elsewhere)
        with pytest.raises(AccessDenied):  # reviewers read; they do not answer for the unit
            await assessments.get_or_create(
                session, actor=Actor.person(reviewer), unit_id=reviewed, year=2025
            )


def test_invalid_unit_is_refused_before_any_row_is_written() -> None:
    with pytest.raises(ValidationError):
        NewUnit(name=" ", tier="huyen", unit_type="ubnd_xa", province="Huế")
    with pytest.raises(ValidationError, match="not assessed at tier"):
        NewUnit(name="ĐH Huế", tier="huyen", unit_type="dai_hoc", province="Huế")
    unit = NewUnit(
        name="UBND  xa\u0303 Quảng Phú ", tier="huyen", unit_type="ubnd_xa", province="Huế"
    )
    assert unit.name == "UBND xã Quảng Phú"  # NFC and single spaces


# --- invite codes -----------------------------------------------------------------------------


async def _invite(sessions: Sessions, unit_id: int, **fields: Any) -> str:
    async def work(session: AsyncSession) -> str:
        data = NewInvite(unit_id=unit_id, **fields)
        return (await invites.create(session, actor=OPERATOR, data=data)).code

    return await transaction(sessions, work)


async def _redeem(sessions: Sessions, code: str, person_id: int, **kw: Any) -> Any:
    async def work(session: AsyncSession) -> Any:
        return await invites.redeem(session, code=code, person_id=person_id, **kw)

    return await transaction(sessions, work)


async def test_invite_code_is_stored_hashed_and_joins_the_unit(sessions: Sessions) -> None:
    unit_id = await _unit(sessions)
    code = await _invite(sessions, unit_id)
    async with sessions() as session:
        row = (await session.exec(select(InviteCode))).one()[0]  # type: ignore[call-overload]
    assert row.code_hash == hash_code(code)
    assert code.replace("-", "") not in row.code_hash
    person = await _person(sessions, "tg-3")
    joined = await _redeem(sessions, f"  {code.lower().replace('-', ' ')} ", person)
    assert (joined.unit_id, joined.role) == (unit_id, "member")


async def test_single_use_code_cannot_be_used_twice(sessions: Sessions) -> None:
    unit_id = await _unit(sessions)
    code = await _invite(sessions, unit_id, max_uses=1)
    first, second = await _person(sessions, "tg-a"), await _person(sessions, "tg-b")
    await _redeem(sessions, code, first)
    again = await _redeem(sessions, code, first)  # the same person again: harmless no-op
    assert again.unit_id == unit_id
    with pytest.raises(InviteInvalid) as refused:
        await _redeem(sessions, code, second)
    assert refused.value.reason == "used_up"
    assert await _count(sessions, Membership) == 1


async def test_expired_revoked_and_unknown_codes_are_refused(sessions: Sessions) -> None:
    unit_id = await _unit(sessions)
    person = await _person(sessions, "tg-4")
    code = await _invite(sessions, unit_id, valid_for=dt.timedelta(hours=1))
    with pytest.raises(InviteInvalid) as expired:
        await _redeem(sessions, code, person, now=utcnow() + dt.timedelta(hours=2))
    assert expired.value.reason == "expired"

    async def revoke(session: AsyncSession) -> None:
        await invites.revoke(session, actor=OPERATOR, code=code)

    await transaction(sessions, revoke)
    with pytest.raises(InviteInvalid) as revoked:
        await _redeem(sessions, code, person)
    assert revoked.value.reason == "revoked"
    with pytest.raises(InviteInvalid) as unknown:
        await _redeem(sessions, "ZZZZ-ZZZZ", person)
    assert unknown.value.reason == "unknown"
    assert "Mã mời" in unknown.value.message


async def test_only_unit_admins_create_invites(sessions: Sessions) -> None:
    unit_id = await _unit(sessions)
    member = await _member(sessions, unit_id, "tg-5")
    admin = await _member(sessions, unit_id, "tg-6", role="unit_admin")
    async with sessions() as session, session.begin():
        with pytest.raises(AccessDenied):
            await invites.create(
                session, actor=Actor.person(member), data=NewInvite(unit_id=unit_id)
            )
        created = await invites.create(
            session, actor=Actor.person(admin), data=NewInvite(unit_id=unit_id)
        )
    assert len(created.code) == 9


# --- assessments, answers, evidence ----------------------------------------------------------


async def test_answers_are_kept_as_history_and_the_latest_counts(sessions: Sessions) -> None:
    unit_id = await _unit(sessions)
    an = await _member(sessions, unit_id, "tg-an")
    assessment_id = await _assessment(sessions, unit_id)
    await _answer(sessions, Actor.person(an), assessment_id, "2.1", count=27)
    await _answer(sessions, Actor.person(an), assessment_id, "2.1", count=29)
    await _answer(sessions, OPERATOR, assessment_id, "1.1", met=True)
    async with sessions() as session:
        record = await assessments.load(
            session, actor=Actor.person(an), unit_id=unit_id, year=2025
        )
        history = await assessments.history(
            session, actor=OPERATOR, assessment_id=assessment_id, indicator_id="2.1"
        )
    assert record is not None
    assert record.answers["2.1"].value == {"count": 29}
    assert record.answers["2.1"].answered_by_name == "Nguyễn Văn An"
    assert record.answers["1.1"].value == {"met": True}
    assert [h.value["count"] for h in history] == [27, 29]
    assert record.answers["2.1"].answered_at.tzinfo is not None  # UTC on both backends


async def test_answer_and_its_audit_row_commit_together(sessions: Sessions) -> None:
    unit_id = await _unit(sessions)
    assessment_id = await _assessment(sessions, unit_id)
    before = await _count(sessions, AuditEntry)
    await _answer(sessions, OPERATOR, assessment_id, "2.4", count=16)
    assert await _count(sessions, AuditEntry) == before + 1
    async with sessions() as session:
        entry = await session.exec(select(AuditEntry).order_by(AuditEntry.id.desc()))  # type: ignore[call-overload,union-attr]
        last = entry.first()[0]
    assert (last.action, last.unit_id, last.details["indicator"]) == (
        "answer.record",
        unit_id,
        "2.4",
    )


async def test_invalid_answer_is_refused_and_nothing_is_written(sessions: Sessions) -> None:
    unit_id = await _unit(sessions)
    assessment_id = await _assessment(sessions, unit_id, members=30)
    with pytest.raises(InputError, match="lớn hơn tổng số thành viên"):
        await _answer(sessions, OPERATOR, assessment_id, "2.1", count=31)
    with pytest.raises(InputError):
        await _answer(sessions, OPERATOR, assessment_id, "9.9", met=True)
    assert await _count(sessions, AnswerRevision) == 0


async def test_a_crash_between_two_writes_rolls_the_use_case_back(sessions: Sessions) -> None:
    unit_id = await _unit(sessions)
    assessment_id = await _assessment(sessions, unit_id)
    audits = await _count(sessions, AuditEntry)

    async def half_done(session: AsyncSession) -> None:
        await assessments.record_answer(
            session,
            actor=OPERATOR,
            assessment_id=assessment_id,
            answer=AnswerInput(indicator_id="2.1", value={"count": 28}),
        )
        raise RuntimeError("process killed between the answer and the evidence")

    with pytest.raises(RuntimeError):
        await transaction(sessions, half_done)
    assert await _count(sessions, AnswerRevision) == 0
    assert await _count(sessions, AuditEntry) == audits


async def test_evidence_links_to_several_indicators(sessions: Sessions) -> None:
    unit_id = await _unit(sessions)
    assessment_id = await _assessment(sessions, unit_id)

    async def work(session: AsyncSession) -> None:
        await assessments.add_evidence(
            session,
            actor=OPERATOR,
            assessment_id=assessment_id,
            evidence=EvidenceInput(
                kind="reference",
                title="Kế hoạch số 12/KH-UBND ngày 10/01/2025",
                indicator_ids=("1.1", "1.4"),
                doc_number="12/KH-UBND",
                doc_date=dt.date(2025, 1, 10),
            ),
        )
        await assessments.add_evidence(
            session,
            actor=OPERATOR,
            assessment_id=assessment_id,
            evidence=EvidenceInput(
                kind="file",
                title="Bảng chấm công 2025",
                indicator_ids=("2.1",),
                original_name="cham-cong.pdf",
                mime_type="application/pdf",
                size=1234,
                sha256="a" * 64,
                storage_key="sha256/aa/aa/" + "a" * 64,
            ),
        )

    await transaction(sessions, work)
    async with sessions() as session:
        record = await assessments.load(session, actor=OPERATOR, unit_id=unit_id, year=2025)
    assert record is not None
    assert [e.title for e in record.evidence_for("1.4")] == [
        "Kế hoạch số 12/KH-UBND ngày 10/01/2025"
    ]
    assert record.evidence[0].indicator_ids == ("1.1", "1.4")
    assert record.evidence[1].sha256 == "a" * 64
    with pytest.raises(ValidationError):
        EvidenceInput(kind="file", title="Ảnh", indicator_ids=("1.1",))  # a file needs content


async def test_status_transitions_follow_roles(sessions: Sessions) -> None:
    unit_id = await _unit(sessions)
    member = await _member(sessions, unit_id, "tg-m")
    admin = await _member(sessions, unit_id, "tg-admin", role="unit_admin")
    assessment_id = await _assessment(sessions, unit_id)

    async def move(actor: Actor, status: Any, **kw: Any) -> None:
        async def work(session: AsyncSession) -> None:
            await assessments.set_status(
                session, actor=actor, assessment_id=assessment_id, status=status, **kw
            )

        await transaction(sessions, work)

    await move(Actor.person(member), "self_assessed")
    with pytest.raises(AccessDenied):
        await move(Actor.person(member), "submitted")
    await move(Actor.person(admin), "submitted")
    with pytest.raises(AccessDenied):  # a submitted dossier no longer changes
        await _answer(sessions, Actor.person(member), assessment_id, "1.1", met=True)
    with pytest.raises(InputError):
        await move(OPERATOR, "recognised")  # needs the decision number and date
    await move(
        OPERATOR, "recognised", decision_number="45/QĐ-UBND", decision_date=dt.date(2026, 2, 10)
    )
    async with sessions() as session:
        record = await assessments.load(session, actor=OPERATOR, unit_id=unit_id, year=2025)
    assert record is not None
    assert (record.status, record.recognition_decision_number) == ("recognised", "45/QĐ-UBND")


async def test_get_or_create_is_idempotent(sessions: Sessions) -> None:
    unit_id = await _unit(sessions)
    first = await _assessment(sessions, unit_id)
    second = await _assessment(sessions, unit_id)
    assert first == second


# --- conversation state and idempotency --------------------------------------------------------


async def test_conversation_state_refuses_stale_saves(sessions: Sessions) -> None:
    repo = ConversationStateRepository()

    async def save(state: dict[str, Any], version: int) -> int:
        async def work(session: AsyncSession) -> int:
            return await repo.save(
                session, channel="telegram", user_id="42", state=state, version=version
            )

        return await transaction(sessions, work)

    assert await save({"step": "2.1"}, 0) == 1
    assert await save({"step": "2.2"}, 1) == 2
    with pytest.raises(StaleState):
        await save({"step": "stale"}, 1)
    with pytest.raises(StaleState):
        await save({"step": "duplicate first save"}, 0)
    async with sessions() as session:
        state, version = await repo.load(session, channel="telegram", user_id="42")
    assert (state, version) == ({"step": "2.2"}, 2)


async def test_processed_updates_are_claimed_once(sessions: Sessions) -> None:
    repo = ProcessedUpdateRepository()

    async def claim(update_id: str) -> bool:
        async def work(session: AsyncSession) -> bool:
            return await repo.claim(session, channel="telegram", update_id=update_id)

        return await transaction(sessions, work)

    assert await claim("1001") is True
    assert await claim("1001") is False
    assert await claim("1002") is True


# --- the schema itself -------------------------------------------------------------------------


async def test_datetimes_are_utc_aware_and_naive_ones_are_refused(sessions: Sessions) -> None:
    unit_id = await _unit(sessions)
    async with sessions() as session:
        code = (await session.exec(select(InviteCode))).all()  # type: ignore[call-overload]
        assert code == []
    with pytest.raises(Exception, match="timezone-aware"):
        async with sessions() as session, session.begin():
            session.add(
                InviteCode(unit_id=unit_id, code_hash="x" * 64, expires_at=dt.datetime(2030, 1, 1))
            )


async def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(engine: AsyncEngine) -> None:
    if engine.dialect.name != "sqlite":
        return
    async with engine.connect() as connection:
        assert (await connection.exec_driver_sql("PRAGMA journal_mode")).scalar() == "wal"
        assert (await connection.exec_driver_sql("PRAGMA busy_timeout")).scalar() == 5000
        assert (await connection.exec_driver_sql("PRAGMA foreign_keys")).scalar() == 1


async def test_foreign_keys_are_enforced(sessions: Sessions) -> None:
    with pytest.raises(Exception, match=r"(?i)foreign key"):
        async with sessions() as session, session.begin():
            await session.exec(
                text(
                    "INSERT INTO memberships (person_id, unit_id, role, created_at) "
                    "VALUES (999, 999, 'member', CURRENT_TIMESTAMP)"
                )
            )


async def test_status_counts_per_province_respect_reviewer_scope(sessions: Sessions) -> None:
    from storage.reporting import ReportingRepository

    async def make_office(session: AsyncSession) -> int:
        return await offices.create(
            session, actor=OPERATOR, data=NewOffice(name="Phòng GD&ĐT", province="Thành phố Huế")
        )

    office_id = await transaction(sessions, make_office)
    reviewed = await _unit(sessions, office_id=office_id)
    other = await _unit(sessions)
    for unit_id in (reviewed, other):
        await _assessment(sessions, unit_id)
    reviewer = await _person(sessions, "tg-counts")

    async def appoint(session: AsyncSession) -> None:
        await offices.add_reviewer(
            session, actor=OPERATOR, office_id=office_id, person_id=reviewer
        )

    await transaction(sessions, appoint)
    reporting = ReportingRepository()
    async with sessions() as session:
        everything = await reporting.count_by_status(
            session, actor=OPERATOR, province="Thành phố Huế"
        )
        scoped = await reporting.count_by_status(
            session, actor=Actor.person(reviewer), province="Thành phố Huế", year=2025
        )
        elsewhere = await reporting.count_by_status(session, actor=OPERATOR, province="Hà Nội")
    assert everything == {"draft": 2}
    assert scoped == {"draft": 1}
    assert elsewhere == {}
