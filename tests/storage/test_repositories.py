"""Storage contract tests, run against SQLite always and PostgreSQL when configured.

Each operation is tested through the code production runs: the chat's through its adapter
(`SqlDialogueStore`), the command line's through the repositories.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select, text
from sqlmodel import Session

from conversations.errors import AccessDenied, InviteInvalid, StaleState
from conversations.ports import DialogueTx
from conversations.records import Actor
from dvht_core.errors import InputError
from storage.assessments import AssessmentRepository
from storage.db import Database
from storage.dialogue_store import SqlDialogueStore
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
from storage.tables import AnswerRevision, AuditEntry, ChannelIdentity, InviteCode, Membership
from storage.types import utcnow
from storage.units import OfficeRepository, UnitRepository
from storage.uow import read, transaction

OPERATOR = Actor.operator()
units, people, invites = UnitRepository(), PersonRepository(), InviteRepository()
assessments, offices = AssessmentRepository(), OfficeRepository()


async def _unit(database: Database, **fields: Any) -> int:
    data = NewUnit(
        name="UBND xã Quảng Phú",
        tier="huyen",
        unit_type="ubnd_xa",
        province="Thành phố Huế",
        **fields,
    )

    def work(session: Session) -> int:
        return (units.create(session, actor=OPERATOR, data=data)).id

    return await transaction(database, work)


async def _person(database: Database, external_id: str, name: str = "Nguyễn Văn An") -> int:
    def work(session: Session) -> int:
        data = NewPerson(display_name=name, channel="telegram", external_id=external_id)
        return (people.get_or_create(session, data=data)).id

    return await transaction(database, work)


async def _member(database: Database, unit_id: int, external_id: str, role: str = "member") -> int:
    person_id = await _person(database, external_id)

    def work(session: Session) -> None:
        session.add(Membership(person_id=person_id, unit_id=unit_id, role=role))

    await transaction(database, work)
    return person_id


async def _assessment(database: Database, unit_id: int, members: int = 30) -> int:
    def work(session: Session) -> int:
        assessment_id = assessments.get_or_create(
            session, actor=OPERATOR, unit_id=unit_id, year=2025
        )
        assessments.set_totals(
            session,
            actor=OPERATOR,
            assessment_id=assessment_id,
            totals=AssessmentTotals(members=members),
        )
        return assessment_id

    return await transaction(database, work)


async def _answer(
    database: Database, actor: Actor, assessment_id: int, indicator_id: str, **value: Any
) -> None:
    def work(session: Session) -> None:
        assessments.record_answer(
            session,
            actor=actor,
            assessment_id=assessment_id,
            answer=AnswerInput(indicator_id=indicator_id, value=value),
        )

    await transaction(database, work)


async def _count(database: Database, table: Any) -> int:
    def count(session: Session) -> int:
        return int(session.exec(select(func.count()).select_from(table)).one()[0])  # type: ignore[call-overload]

    return await read(database, count)


# --- units, people, access --------------------------------------------------------------------


async def test_unit_create_and_list_with_access_checks(database: Database) -> None:
    unit_id = await _unit(database)
    other_id = await _unit(database)
    member = await _member(database, unit_id, "tg-1")

    def _in_session_2(session: Session) -> Any:
        listed = units.list(session, actor=Actor.person(member))
        assert [u.id for u in listed] == [unit_id]
        assert [u.id for u in units.list(session, actor=OPERATOR)] == [unit_id, other_id]
        record = units.get(session, actor=Actor.person(member), unit_id=unit_id)
        assert record.name == "UBND xã Quảng Phú"
        with pytest.raises(AccessDenied):
            units.get(session, actor=Actor.person(member), unit_id=other_id)

    await read(database, _in_session_2)


async def test_creator_becomes_unit_admin(database: Database) -> None:
    person_id = await _person(database, "tg-2")

    def work(session: Session) -> int:
        data = NewUnit(
            name="Trường THCS Quảng Phú", tier="huyen", unit_type="pho_thong", province="Huế"
        )
        return (units.create(session, actor=Actor.person(person_id), data=data)).id

    unit_id = await transaction(database, work)

    def _in_session_3(session: Session) -> Any:
        return people.memberships(session, actor=Actor.person(person_id), person_id=person_id)

    roles = await read(database, _in_session_3)
    assert [(m.unit_id, m.role) for m in roles] == [(unit_id, "unit_admin")]


async def test_reviewer_reads_units_of_their_office_only(database: Database) -> None:
    def make_office(session: Session) -> int:
        data = NewOffice(name="Phòng Văn hóa - Xã hội", province="Huế")
        return offices.create(session, actor=OPERATOR, data=data)

    office_id = await transaction(database, make_office)
    reviewed = await _unit(database, office_id=office_id)
    elsewhere = await _unit(database)
    reviewer = await _person(database, "tg-reviewer")

    def appoint(session: Session) -> None:
        offices.add_reviewer(session, actor=OPERATOR, office_id=office_id, person_id=reviewer)

    await transaction(database, appoint)

    def _in_session_4(session: Session) -> Any:
        visible = units.list(session, actor=Actor.person(reviewer))
        assert [u.id for u in visible] == [reviewed]
        assert visible[0].office_name == "Phòng Văn hóa - Xã hội"
        with pytest.raises(AccessDenied):
            units.get(session, actor=Actor.person(reviewer), unit_id=elsewhere)
        with pytest.raises(AccessDenied):  # reviewers read; they do not answer for the unit
            assessments.get_or_create(
                session, actor=Actor.person(reviewer), unit_id=reviewed, year=2025
            )

    await read(database, _in_session_4)


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


async def _invite(database: Database, unit_id: int, **fields: Any) -> str:
    def work(session: Session) -> str:
        data = NewInvite(unit_id=unit_id, **fields)
        return (invites.create(session, actor=OPERATOR, data=data)).code

    return await transaction(database, work)


async def _redeem(database: Database, code: str, person_id: int, **kw: Any) -> Any:
    def work(session: Session) -> Any:
        return invites.redeem(session, code=code, person_id=person_id, **kw)

    return await transaction(database, work)


async def test_invite_code_is_stored_hashed_and_joins_the_unit(database: Database) -> None:
    unit_id = await _unit(database)
    code = await _invite(database, unit_id)

    def _in_session_5(session: Session) -> Any:
        return (session.exec(select(InviteCode))).one()[0]  # type: ignore[call-overload]

    row = await read(database, _in_session_5)
    assert row.code_hash == hash_code(code)
    assert code.replace("-", "") not in row.code_hash
    person = await _person(database, "tg-3")
    joined = await _redeem(database, f"  {code.lower().replace('-', ' ')} ", person)
    assert (joined.unit_id, joined.role) == (unit_id, "member")


async def test_single_use_code_cannot_be_used_twice(database: Database) -> None:
    unit_id = await _unit(database)
    code = await _invite(database, unit_id, max_uses=1)
    first, second = await _person(database, "tg-a"), await _person(database, "tg-b")
    await _redeem(database, code, first)
    again = await _redeem(database, code, first)  # the same person again: harmless no-op
    assert again.unit_id == unit_id
    with pytest.raises(InviteInvalid) as refused:
        await _redeem(database, code, second)
    assert refused.value.reason == "used_up"
    assert await _count(database, Membership) == 1


async def test_expired_revoked_and_unknown_codes_are_refused(database: Database) -> None:
    unit_id = await _unit(database)
    person = await _person(database, "tg-4")
    code = await _invite(database, unit_id, valid_for=dt.timedelta(hours=1))
    with pytest.raises(InviteInvalid) as expired:
        await _redeem(database, code, person, now=utcnow() + dt.timedelta(hours=2))
    assert expired.value.reason == "expired"

    def revoke(session: Session) -> None:
        invites.revoke(session, actor=OPERATOR, code=code)

    await transaction(database, revoke)
    with pytest.raises(InviteInvalid) as revoked:
        await _redeem(database, code, person)
    assert revoked.value.reason == "revoked"
    with pytest.raises(InviteInvalid) as unknown:
        await _redeem(database, "ZZZZ-ZZZZ", person)
    assert unknown.value.reason == "unknown"
    assert "Mã mời" in unknown.value.message


async def test_only_unit_admins_create_invites(database: Database) -> None:
    unit_id = await _unit(database)
    member = await _member(database, unit_id, "tg-5")
    admin = await _member(database, unit_id, "tg-6", role="unit_admin")

    def _in_session_6(session: Session) -> Any:
        with pytest.raises(AccessDenied):
            invites.create(session, actor=Actor.person(member), data=NewInvite(unit_id=unit_id))
        return invites.create(session, actor=Actor.person(admin), data=NewInvite(unit_id=unit_id))

    created = await transaction(database, _in_session_6)
    assert len(created.code) == 9


# --- assessments, answers, evidence ----------------------------------------------------------


async def test_answers_are_kept_as_history_and_the_latest_counts(database: Database) -> None:
    unit_id = await _unit(database)
    an = await _member(database, unit_id, "tg-an")
    assessment_id = await _assessment(database, unit_id)
    await _answer(database, Actor.person(an), assessment_id, "2.1", count=27)
    await _answer(database, Actor.person(an), assessment_id, "2.1", count=29)
    await _answer(database, OPERATOR, assessment_id, "1.1", met=True)

    def _in_session_7(session: Session) -> Any:
        record = assessments.load(session, actor=Actor.person(an), unit_id=unit_id, year=2025)
        history = assessments.history(
            session, actor=OPERATOR, assessment_id=assessment_id, indicator_id="2.1"
        )
        return record, history

    record, history = await read(database, _in_session_7)
    assert record is not None
    assert record.answers["2.1"].value == {"count": 29}
    assert record.answers["2.1"].answered_by_name == "Nguyễn Văn An"
    assert record.answers["1.1"].value == {"met": True}
    assert [h.value["count"] for h in history] == [27, 29]
    assert record.answers["2.1"].answered_at.tzinfo is not None  # UTC on both backends


async def test_answer_and_its_audit_row_commit_together(database: Database) -> None:
    unit_id = await _unit(database)
    assessment_id = await _assessment(database, unit_id)
    before = await _count(database, AuditEntry)
    await _answer(database, OPERATOR, assessment_id, "2.4", count=16)
    assert await _count(database, AuditEntry) == before + 1

    def _in_session_8(session: Session) -> Any:
        entry = session.exec(select(AuditEntry).order_by(AuditEntry.id.desc()))  # type: ignore[call-overload,union-attr]
        return entry.first()[0]

    last = await read(database, _in_session_8)
    assert (last.action, last.unit_id, last.details["indicator"]) == (
        "answer.record",
        unit_id,
        "2.4",
    )


async def test_invalid_answer_is_refused_and_nothing_is_written(database: Database) -> None:
    unit_id = await _unit(database)
    assessment_id = await _assessment(database, unit_id, members=30)
    with pytest.raises(InputError, match="lớn hơn tổng số thành viên"):
        await _answer(database, OPERATOR, assessment_id, "2.1", count=31)
    with pytest.raises(InputError):
        await _answer(database, OPERATOR, assessment_id, "9.9", met=True)
    assert await _count(database, AnswerRevision) == 0


async def test_a_crash_between_two_writes_rolls_the_use_case_back(database: Database) -> None:
    unit_id = await _unit(database)
    assessment_id = await _assessment(database, unit_id)
    audits = await _count(database, AuditEntry)

    def half_done(session: Session) -> None:
        assessments.record_answer(
            session,
            actor=OPERATOR,
            assessment_id=assessment_id,
            answer=AnswerInput(indicator_id="2.1", value={"count": 28}),
        )
        raise RuntimeError("process killed between the answer and the evidence")

    with pytest.raises(RuntimeError):
        await transaction(database, half_done)
    assert await _count(database, AnswerRevision) == 0
    assert await _count(database, AuditEntry) == audits


async def test_evidence_links_to_several_indicators(database: Database) -> None:
    unit_id = await _unit(database)
    assessment_id = await _assessment(database, unit_id)

    def work(session: Session) -> None:
        assessments.add_evidence(
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
        assessments.add_evidence(
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

    await transaction(database, work)

    def _in_session_9(session: Session) -> Any:
        return assessments.load(session, actor=OPERATOR, unit_id=unit_id, year=2025)

    record = await read(database, _in_session_9)
    assert record is not None
    assert [e.title for e in record.evidence_for("1.4")] == [
        "Kế hoạch số 12/KH-UBND ngày 10/01/2025"
    ]
    assert record.evidence[0].indicator_ids == ("1.1", "1.4")
    assert record.evidence[1].sha256 == "a" * 64
    with pytest.raises(ValidationError):
        EvidenceInput(kind="file", title="Ảnh", indicator_ids=("1.1",))  # a file needs content


async def test_status_transitions_follow_roles(database: Database) -> None:
    unit_id = await _unit(database)
    member = await _member(database, unit_id, "tg-m")
    admin = await _member(database, unit_id, "tg-admin", role="unit_admin")
    assessment_id = await _assessment(database, unit_id)

    async def move(actor: Actor, status: Any, **kw: Any) -> None:
        def work(session: Session) -> None:
            assessments.set_status(
                session, actor=actor, assessment_id=assessment_id, status=status, **kw
            )

        await transaction(database, work)

    await move(Actor.person(member), "self_assessed")
    with pytest.raises(AccessDenied):
        await move(Actor.person(member), "submitted")
    await move(Actor.person(admin), "submitted")
    with pytest.raises(AccessDenied):  # a submitted dossier no longer changes
        await _answer(database, Actor.person(member), assessment_id, "1.1", met=True)
    with pytest.raises(InputError):
        await move(OPERATOR, "recognised")  # needs the decision number and date
    await move(
        OPERATOR, "recognised", decision_number="45/QĐ-UBND", decision_date=dt.date(2026, 2, 10)
    )

    def _in_session_10(session: Session) -> Any:
        return assessments.load(session, actor=OPERATOR, unit_id=unit_id, year=2025)

    record = await read(database, _in_session_10)
    assert record is not None
    assert (record.status, record.recognition_decision_number) == ("recognised", "45/QĐ-UBND")


async def test_get_or_create_is_idempotent(database: Database) -> None:
    unit_id = await _unit(database)
    first = await _assessment(database, unit_id)
    second = await _assessment(database, unit_id)
    assert first == second


async def _evidence_of_both_kinds(database: Database, actor: Actor, assessment_id: int) -> None:
    def work(session: Session) -> None:
        for evidence in (
            EvidenceInput(
                kind="reference",
                title="Kế hoạch số 12/KH-UBND ngày 10/01/2025",
                indicator_ids=("1.4", "1.1"),
                doc_number="12/KH-UBND",
                doc_date=dt.date(2025, 1, 10),
                issuer="UBND xã Quảng Phú",
            ),
            EvidenceInput(
                kind="file",
                title="Bảng chấm công 2025",
                indicator_ids=("2.1",),
                original_name="cham-cong.pdf",
                mime_type="application/pdf",
                size=1234,
                sha256="b" * 64,
                storage_key="sha256/bb/bb/" + "b" * 64,
            ),
        ):
            assessments.add_evidence(
                session, actor=actor, assessment_id=assessment_id, evidence=evidence
            )

    await transaction(database, work)


async def test_the_chat_and_the_command_line_read_the_same_assessment(
    database: Database,
) -> None:
    unit_id = await _unit(database)
    an = await _member(database, unit_id, "tg-an")
    assessment_id = await _assessment(database, unit_id)
    await _answer(database, Actor.person(an), assessment_id, "2.1", count=27)
    await _answer(database, OPERATOR, assessment_id, "1.1", met=True)
    await _evidence_of_both_kinds(database, Actor.person(an), assessment_id)

    chat = await _chat(database, lambda tx: tx.context(person_id=an, unit_id=None, year=2025))
    memberships, unit, in_chat = chat

    def _in_session(session: Session) -> Any:
        return assessments.load(session, actor=OPERATOR, unit_id=unit_id, year=2025)

    at_cli = await read(database, _in_session)
    assert in_chat == at_cli
    assert unit == at_cli.unit
    assert [(m.person_id, m.unit_id, m.role) for m in memberships] == [(an, unit_id, "member")]
    reference, file = at_cli.evidence  # each evidence column read from its own name
    assert (reference.kind, reference.title, reference.indicator_ids) == (
        "reference",
        "Kế hoạch số 12/KH-UBND ngày 10/01/2025",
        ("1.1", "1.4"),
    )
    assert (reference.doc_number, reference.doc_date, reference.issuer) == (
        "12/KH-UBND",
        dt.date(2025, 1, 10),
        "UBND xã Quảng Phú",
    )
    assert (reference.original_name, reference.sha256, reference.uploaded_by) == (None, None, an)
    assert (file.kind, file.original_name, file.mime_type, file.size) == (
        "file",
        "cham-cong.pdf",
        "application/pdf",
        1234,
    )
    assert (file.sha256, file.storage_key, file.doc_date) == (
        "b" * 64,
        "sha256/bb/bb/" + "b" * 64,
        None,
    )
    assert file.uploaded_at is not None
    assert file.uploaded_at.tzinfo is not None
    answer = at_cli.answers["2.1"]
    assert (answer.value, answer.answered_by, answer.answered_by_name) == (
        {"count": 27},
        an,
        "Nguyễn Văn An",
    )
    assert (answer.description, answer.strengths, answer.weaknesses) == (None, None, None)
    assert at_cli.answers["1.1"].answered_by is None  # the operator is nobody in `people`


async def test_members_answer_in_the_chat_the_operator_at_the_cli_and_others_are_refused(
    database: Database,
) -> None:
    unit_id = await _unit(database)
    member = await _member(database, unit_id, "tg-member")
    outsider = await _person(database, "tg-outsider")
    assessment_id = await _assessment(database, unit_id)

    def in_chat(person_id: int, indicator_id: str) -> Any:
        def work(tx: DialogueTx) -> None:
            tx.context(person_id=person_id, unit_id=unit_id, year=2025)
            tx.record_answer(
                person_id=person_id,
                assessment_id=assessment_id,
                indicator_id=indicator_id,
                value={"count": 20},
                description="Có bảng chấm công",
            )

        return _chat(database, work)

    await in_chat(member, "2.1")
    with pytest.raises(AccessDenied):
        await in_chat(outsider, "2.2")

    def imported(session: Session) -> None:
        assessments.record_answer(
            session,
            actor=OPERATOR,
            assessment_id=assessment_id,
            answer=AnswerInput(
                indicator_id="2.2", value={"count": 25}, strengths="Đầy đủ", weaknesses="Chưa"
            ),
        )

    await transaction(database, imported)

    def _in_session(session: Session) -> Any:
        record = assessments.load(session, actor=OPERATOR, unit_id=unit_id, year=2025)
        entries = session.exec(
            select(AuditEntry).where(AuditEntry.action == "answer.record").order_by(AuditEntry.id)  # type: ignore[arg-type]
        )
        return record, [e[0] for e in entries.all()]

    record, entries = await read(database, _in_session)
    assert record.answers["2.1"].description == "Có bảng chấm công"
    assert (record.answers["2.2"].strengths, record.answers["2.2"].weaknesses) == (
        "Đầy đủ",
        "Chưa",
    )
    assert [(e.actor_person_id, e.actor_label, e.details["indicator"]) for e in entries] == [
        (member, f"person:{member}", "2.1"),
        (None, "cli", "2.2"),
    ]


async def test_the_answer_is_checked_again_at_the_moment_it_is_written(
    database: Database,
) -> None:
    from storage import assessment_sql

    unit_id = await _unit(database)
    member = await _member(database, unit_id, "tg-late")
    assessment_id = await _assessment(database, unit_id)

    def read_then_late(session: Session) -> None:
        known = assessment_sql.editable(
            session, actor=Actor.person(member), assessment_id=assessment_id
        )
        session.exec(text("UPDATE assessments SET status = 'submitted'"))  # type: ignore[call-overload]
        assessment_sql.record_answer(
            session,
            actor=Actor.person(member),
            assessment_id=assessment_id,
            indicator_id="2.1",
            value={"count": 20},
            known=known,
        )

    with pytest.raises(AccessDenied, match="may not answer"):
        await transaction(database, read_then_late)
    assert await _count(database, AnswerRevision) == 0


async def test_answers_are_checked_against_the_rulebook_the_assessment_was_started_on(
    database: Database,
) -> None:
    from dvht_core.errors import RulebookError

    unit_id = await _unit(database)
    assessment_id = await _assessment(database, unit_id)

    def started_on_an_older_version(session: Session) -> None:
        session.exec(text("UPDATE assessments SET ruleset_version = '1999.1'"))  # type: ignore[call-overload]

    await transaction(database, started_on_an_older_version)
    with pytest.raises(RulebookError, match=r"1999\.1"):
        await _answer(database, OPERATOR, assessment_id, "1.1", met=True)
    with pytest.raises(RulebookError, match=r"1999\.1"):
        await _evidence_of_both_kinds(database, OPERATOR, assessment_id)
    assert await _count(database, AnswerRevision) == 0


# --- conversation state and idempotency --------------------------------------------------------


async def _chat(database: Database, work: Any) -> Any:
    """Run `work(tx)` in one transaction of the chat's storage, as the service does."""
    return await SqlDialogueStore(database).run(work)


def _sender(tx: DialogueTx, user_id: str = "42") -> tuple[Any, dict[str, Any], int]:
    return tx.sender(channel="telegram", user_id=user_id, display_name="Nguyễn Văn An")


async def test_a_sender_is_created_on_first_contact_and_found_again(database: Database) -> None:
    first, state, version = await _chat(database, _sender)
    assert (first.display_name, state, version) == ("Nguyễn Văn An", {}, 0)
    again, state, version = await _chat(database, _sender)
    assert (again, state, version) == (first, {}, 0)
    other, _, _ = await _chat(database, lambda tx: _sender(tx, "43"))
    assert other.id != first.id


async def test_conversation_state_refuses_stale_saves(database: Database) -> None:
    await _chat(database, _sender)

    async def save(state: dict[str, Any], version: int) -> int:
        return int(
            await _chat(
                database,
                lambda tx: tx.save_state(
                    channel="telegram", user_id="42", state=state, version=version
                ),
            )
        )

    assert await save({"step": "2.1"}, 0) == 1
    assert await save({"step": "2.2"}, 1) == 2
    with pytest.raises(StaleState):
        await save({"step": "stale"}, 1)
    with pytest.raises(StaleState):
        await save({"step": "duplicate first save"}, 0)
    _, state, version = await _chat(database, _sender)
    assert (state, version) == ({"step": "2.2"}, 2)


async def test_a_sender_who_blocked_the_bot_is_reachable_again(database: Database) -> None:
    await _chat(database, _sender)

    def active(session: Session) -> bool:
        return bool(session.exec(select(ChannelIdentity.active)).one()[0])  # type: ignore[call-overload]

    def block(session: Session) -> None:
        people.set_reachable(session, channel="telegram", external_id="42", reachable=False)

    await transaction(database, block)
    assert await read(database, active) is False
    await _chat(database, _sender)
    assert await read(database, active) is True


async def test_processed_updates_are_claimed_once(database: Database) -> None:
    async def claim(update_id: str) -> bool:
        return bool(
            await _chat(
                database, lambda tx: tx.claim_update(channel="telegram", update_id=update_id)
            )
        )

    assert await claim("1001") is True
    assert await claim("1001") is False
    assert await claim("1002") is True


# --- the schema itself -------------------------------------------------------------------------


async def test_datetimes_are_utc_aware_and_naive_ones_are_refused(database: Database) -> None:
    unit_id = await _unit(database)

    def add_naive(session: Session) -> None:
        session.add(
            InviteCode(unit_id=unit_id, code_hash="x" * 64, expires_at=dt.datetime(2030, 1, 1))
        )

    with pytest.raises(Exception, match="timezone-aware"):
        await transaction(database, add_naive)
    assert await _count(database, InviteCode) == 0


async def test_sqlite_runs_in_wal_mode_and_waits_for_no_lock_inline(database: Database) -> None:
    """Busy timeout zero: a lock is waited for in `storage.uow`, off the event loop."""
    if database.dialect != "sqlite":
        return

    def pragmas(session: Session) -> list[Any]:
        return [
            session.exec(text(f"PRAGMA {name}")).one()[0]  # type: ignore[call-overload]
            for name in ("journal_mode", "busy_timeout", "foreign_keys")
        ]

    assert await read(database, pragmas) == ["wal", 0, 1]


async def test_foreign_keys_are_enforced(database: Database) -> None:
    def orphan(session: Session) -> None:
        session.exec(
            text(
                "INSERT INTO memberships (person_id, unit_id, role, created_at) "
                "VALUES (999, 999, 'member', CURRENT_TIMESTAMP)"
            )
        )

    with pytest.raises(Exception, match=r"(?i)foreign key"):
        await transaction(database, orphan)


async def test_status_counts_per_province_respect_reviewer_scope(database: Database) -> None:
    from storage.reporting import ReportingRepository

    def make_office(session: Session) -> int:
        return offices.create(
            session, actor=OPERATOR, data=NewOffice(name="Phòng GD&ĐT", province="Thành phố Huế")
        )

    office_id = await transaction(database, make_office)
    reviewed = await _unit(database, office_id=office_id)
    other = await _unit(database)
    for unit_id in (reviewed, other):
        await _assessment(database, unit_id)
    reviewer = await _person(database, "tg-counts")

    def appoint(session: Session) -> None:
        offices.add_reviewer(session, actor=OPERATOR, office_id=office_id, person_id=reviewer)

    await transaction(database, appoint)
    reporting = ReportingRepository()

    def _in_session_15(session: Session) -> Any:
        everything = reporting.count_by_status(session, actor=OPERATOR, province="Thành phố Huế")
        scoped = reporting.count_by_status(
            session, actor=Actor.person(reviewer), province="Thành phố Huế", year=2025
        )
        elsewhere = reporting.count_by_status(session, actor=OPERATOR, province="Hà Nội")
        return everything, scoped, elsewhere

    everything, scoped, elsewhere = await read(database, _in_session_15)
    assert everything == {"draft": 2}
    assert scoped == {"draft": 1}
    assert elsewhere == {}
