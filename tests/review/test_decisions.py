"""The office's decisions on a real database: a reviewer of the unit's office returns a
submitted dossier with a reason or recognises it; every move is audited with who and when,
every member of the unit is told in the chat they use, and every illegal move, bad input or
caller outside the office is refused with one specific sentence."""

from __future__ import annotations

import asyncio
import datetime as dt
import unicodedata

import pytest

from conversations.errors import AccessDenied, NotFound
from conversations.records import Actor
from review.ports import ReviewRefused
from review.service import ReviewService
from storage.assessments import AssessmentRepository
from storage.db import Database
from storage.review_store import review_service
from storage.uow import transaction
from tests.reminders.world import FakeClock, World, local
from tests.review.helpers import assessment, notices, status_audit


async def _submitted_unit(world: World, *, level: int = 2) -> tuple[int, int, int]:
    """An office, a unit of it whose 2026 dossier was submitted at `level`, and its reviewer."""
    office = await world.office()
    unit = await world.unit("a", office_id=office, status="submitted", submitted_level=level)
    reviewer = await world.person("rev", reviewer_of=(office,))
    return office, unit, reviewer.person_id


async def test_return_stores_the_reason_audits_and_tells_every_member_once(
    world: World, service: ReviewService, clock: FakeClock
) -> None:
    _, unit, reviewer = await _submitted_unit(world)
    lan = await world.person("lan", "a", role="unit_admin")
    minh = await world.person("minh", "a", opted_out=True)  # /tatnhacnho: still told
    await world.person("blocked", "a", reachable=False)
    other_office = await world.office("Sở khác")
    await world.person("rev2", reviewer_of=(other_office,))

    decision = await service.return_dossier(
        Actor.person(reviewer), unit_id=unit, year=2026, reason="  Thiếu minh chứng 2.3  "
    )

    assert (decision.status, decision.level, decision.notified) == ("returned", None, 2)
    row = await assessment(world.database, unit)
    assert row["status"] == "returned"
    assert row["return_reason"] == "Thiếu minh chứng 2.3"
    assert row["standing_at"] is None
    [audit] = await status_audit(world.database, unit)
    assert audit["actor_person_id"] == reviewer
    assert audit["details"] == {
        "from": "submitted",
        "to": "returned",
        "year": 2026,
        "reason": "Thiếu minh chứng 2.3",
    }
    queued = await notices(world.database)
    assert sorted(r["chat"] for r in queued) == sorted([str(lan.chat_id), str(minh.chat_id)])
    assert {r["status"] for r in queued} == {"planned"}
    text = queued[0]["text"]
    assert "Thiếu minh chứng 2.3" in text
    assert "/nop" in text
    assert "UBND xã a" in text


async def test_recognise_at_level_one_dates_the_upgrade_wait_and_tells_members(
    world: World, service: ReviewService
) -> None:
    _, unit, reviewer = await _submitted_unit(world)
    lan = await world.person("lan", "a")

    decision = await service.recognise(
        Actor.person(reviewer),
        unit_id=unit,
        year=2026,
        decision_number="125/QĐ-UBND",
        decision_date=dt.date(2027, 1, 30),
        level=1,
    )

    assert (decision.status, decision.level, decision.notified) == ("recognised", 1, 1)
    row = await assessment(world.database, unit)
    assert row["status"] == "recognised"
    assert row["recognised_level"] == 1
    assert row["recognition_decision_number"] == "125/QĐ-UBND"
    assert str(row["recognition_decision_date"]) == "2027-01-30"
    assert str(row["level1_decision_date"]) == "2027-01-30"
    [audit] = await status_audit(world.database, unit)
    assert audit["details"]["to"] == "recognised"
    assert audit["details"]["level"] == 1
    [notice] = await notices(world.database)
    assert notice["chat"] == str(lan.chat_id)
    assert "mức 1" in notice["text"]
    assert "125/QĐ-UBND" in notice["text"]
    assert "30/01/2027" in notice["text"]


async def test_recognise_at_level_two_leaves_the_level_one_date_alone(
    world: World, service: ReviewService
) -> None:
    _, unit, reviewer = await _submitted_unit(world)
    await service.recognise(
        Actor.person(reviewer),
        unit_id=unit,
        year=2026,
        decision_number="7/QĐ",
        decision_date=dt.date(2027, 2, 1),
        level=2,
    )
    row = await assessment(world.database, unit)
    assert row["recognised_level"] == 2
    assert row["level1_decision_date"] is None


@pytest.mark.parametrize(
    ("status", "action", "named"),
    [
        ("draft", "recognise", "đang làm"),
        ("self_assessed", "recognise", "đã tự đánh giá"),
        ("recognised", "return", "đã được công nhận"),
        ("returned", "return", "đã bị trả lại"),
        ("draft", "return", "đang làm"),
        ("recognised", "recognise", "đã được công nhận"),
    ],
)
async def test_an_illegal_move_is_refused_naming_the_current_status(
    world: World, service: ReviewService, status: str, action: str, named: str
) -> None:
    office = await world.office()
    unit = await world.unit("a", office_id=office, status=status, submitted_level=2)
    reviewer = Actor.person((await world.person("rev", reviewer_of=(office,))).person_id)
    if action == "return":
        attempt = service.return_dossier(reviewer, unit_id=unit, year=2026, reason="Thiếu")
    else:
        attempt = service.recognise(
            reviewer,
            unit_id=unit,
            year=2026,
            decision_number="1/QĐ",
            decision_date=dt.date(2027, 1, 5),
            level=1,
        )
    with pytest.raises(ReviewRefused) as refused:
        await attempt
    assert f"“{named}”" in refused.value.message
    assert (await assessment(world.database, unit))["status"] == status
    assert await status_audit(world.database, unit) == []
    assert await notices(world.database) == []


async def test_returning_twice_is_refused_the_second_time(
    world: World, service: ReviewService
) -> None:
    _, unit, reviewer = await _submitted_unit(world)
    actor = Actor.person(reviewer)
    await service.return_dossier(actor, unit_id=unit, year=2026, reason="Thiếu minh chứng")
    with pytest.raises(ReviewRefused, match="đã bị trả lại"):
        await service.return_dossier(actor, unit_id=unit, year=2026, reason="Thiếu minh chứng")
    assert len(await status_audit(world.database, unit)) == 1


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"level": 2}, "chỉ đề nghị công nhận mức 1"),
        ({"level": 3}, "1 hoặc 2"),
        ({"decision_number": "  "}, "số quyết định"),
        ({"decision_number": "x" * 101}, "số quyết định"),
        ({"decision_date": dt.date(2027, 2, 3)}, "không được sau hôm nay (02/02/2027)"),
        ({"decision_date": dt.date(2025, 12, 31)}, "không được trước năm của hồ sơ (2026)"),
    ],
)
async def test_bad_recognition_input_is_refused_with_one_sentence(
    world: World, service: ReviewService, changes: dict[str, object], expected: str
) -> None:
    office = await world.office()
    unit = await world.unit("a", office_id=office, status="submitted", submitted_level=1)
    reviewer = Actor.person((await world.person("rev", reviewer_of=(office,))).person_id)
    args: dict[str, object] = {
        "decision_number": "1/QĐ",
        "decision_date": dt.date(2027, 1, 5),
        "level": 1,
    }
    args.update(changes)
    with pytest.raises(ReviewRefused) as refused:
        await service.recognise(reviewer, unit_id=unit, year=2026, **args)  # type: ignore[arg-type]
    assert expected in refused.value.message
    assert (await assessment(world.database, unit))["status"] == "submitted"


@pytest.mark.parametrize("reason", ["", "  ab ", "x" * 1001])
async def test_a_reason_outside_3_to_1000_characters_is_refused(
    world: World, service: ReviewService, reason: str
) -> None:
    _, unit, reviewer = await _submitted_unit(world)
    with pytest.raises(ReviewRefused, match="từ 3 đến 1000 ký tự"):
        await service.return_dossier(
            Actor.person(reviewer), unit_id=unit, year=2026, reason=reason
        )


async def test_the_reason_is_stored_in_nfc(world: World, service: ReviewService) -> None:
    _, unit, reviewer = await _submitted_unit(world)
    decomposed = "Thiếu minh chứng"
    nfd = unicodedata.normalize("NFD", decomposed)
    assert nfd != decomposed
    await service.return_dossier(Actor.person(reviewer), unit_id=unit, year=2026, reason=nfd)
    assert (await assessment(world.database, unit))["return_reason"] == decomposed


async def test_only_a_reviewer_of_the_units_office_may_decide(
    world: World, service: ReviewService
) -> None:
    _, unit, _ = await _submitted_unit(world)
    elsewhere = await world.office("Sở GD&ĐT khác")
    stranger = await world.person("other", reviewer_of=(elsewhere,))
    admin = await world.person("admin", "a", role="unit_admin")
    for person in (stranger, admin):
        with pytest.raises(AccessDenied):
            await service.return_dossier(
                Actor.person(person.person_id), unit_id=unit, year=2026, reason="Thiếu"
            )
        with pytest.raises(AccessDenied):
            await service.recognise(
                Actor.person(person.person_id),
                unit_id=unit,
                year=2026,
                decision_number="1/QĐ",
                decision_date=dt.date(2027, 1, 5),
                level=1,
            )
    assert (await assessment(world.database, unit))["status"] == "submitted"
    assert await notices(world.database) == []


async def test_the_operator_may_decide_and_is_audited_as_such(
    world: World, service: ReviewService
) -> None:
    _, unit, _ = await _submitted_unit(world)
    await service.return_dossier(Actor.operator(), unit_id=unit, year=2026, reason="Thiếu")
    [audit] = await status_audit(world.database, unit)
    assert audit["actor_person_id"] is None
    assert audit["actor_label"] == "cli"


async def test_an_unknown_unit_is_not_found_and_a_missing_year_refused(
    world: World, service: ReviewService
) -> None:
    _, unit, reviewer = await _submitted_unit(world)
    with pytest.raises(NotFound):
        await service.return_dossier(Actor.operator(), unit_id=999_999, year=2026, reason="abc")
    with pytest.raises(ReviewRefused, match="chưa có hồ sơ tự đánh giá năm 2025"):
        await service.return_dossier(Actor.person(reviewer), unit_id=unit, year=2025, reason="abc")


async def test_two_reviewers_deciding_at_once_one_wins(
    world: World, service: ReviewService, database: Database
) -> None:
    """Two reviewers press at the same moment: the row lock (PostgreSQL) or the write
    transaction (SQLite) lets one through; the other hears the dossier's new status."""
    office, unit, first = await _submitted_unit(world)
    second = (await world.person("rev2", reviewer_of=(office,))).person_id
    other = review_service(database, clock=FakeClock(local(2027, 2, 2, 10)))

    results = await asyncio.gather(
        service.return_dossier(Actor.person(first), unit_id=unit, year=2026, reason="Thiếu"),
        other.recognise(
            Actor.person(second),
            unit_id=unit,
            year=2026,
            decision_number="9/QĐ",
            decision_date=dt.date(2027, 2, 1),
            level=1,
        ),
        return_exceptions=True,
    )

    refusals = [r for r in results if isinstance(r, ReviewRefused)]
    decisions = [r for r in results if not isinstance(r, BaseException)]
    assert len(refusals) == 1
    assert len(decisions) == 1
    assert len(await status_audit(world.database, unit)) == 1
    row = await assessment(world.database, unit)
    assert row["status"] == decisions[0].status


async def test_the_next_years_dossier_starts_with_the_level_one_decision(
    world: World, service: ReviewService
) -> None:
    """Recognition drives the 12-month rule: the unit's 2027 dossier, opened after a level-1
    recognition of its 2026 one, carries that decision's date, so level 2 is gated until the
    wait is over without the official typing the date again."""
    _, unit, reviewer = await _submitted_unit(world)
    await service.recognise(
        Actor.person(reviewer),
        unit_id=unit,
        year=2026,
        decision_number="125/QĐ-UBND",
        decision_date=dt.date(2026, 12, 1),
        level=1,
    )
    await transaction(
        world.database,
        lambda session: AssessmentRepository().get_or_create(
            session, actor=Actor.operator(), unit_id=unit, year=2027
        ),
    )
    for year in (2026, 2027):
        row = await assessment(world.database, unit, year)
        assert str(row["level1_decision_date"]) == "2026-12-01"
