"""The board's data on real SQLite and PostgreSQL: who sees which units, the filters, the
diacritics-blind search, sorting, paging, the status counts, and the cached standing kept
fresh by every write."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import Session

from conversations.errors import NotFound
from conversations.records import Actor
from dvht_core.evaluate import evaluate
from dvht_core.model import Rulebook
from review.board import UnitFilter, status_key
from storage import assessment_sql
from storage.assessments import AssessmentRepository
from storage.board_store import BoardStore
from storage.calendar_store import CalendarStore, NewDeadline, add_deadline
from storage.db import Database
from storage.uow import read, transaction
from tests.board.world import TODAY, YEAR, BoardWorld, level2_values
from tests.conftest import build

VALUES = level2_values()
IDS = list(VALUES)


@pytest.fixture
def world(database: Database) -> BoardWorld:
    return BoardWorld(database)


async def _names(store: BoardStore, person: int, **filters: Any) -> list[str]:
    page = await store.units(person, UnitFilter(**filters), today=TODAY)
    return [r.name for r in page.rows]


async def test_a_reviewer_sees_the_units_of_their_office_only(world: BoardWorld) -> None:
    mine, other = await world.office("Phòng A"), await world.office("Phòng B")
    a = await world.unit("UBND xã An Bình", office_id=mine)
    b = await world.unit("UBND xã Bình Minh", office_id=other)
    await world.unit("UBND xã Đã Nhập", office_id=mine, active=False)
    reviewer = await world.person("Cán bộ phòng A", reviewer_of=(mine,))
    admin = await world.person("Quản trị B", admin_of=(b,))
    member = await world.person("Thành viên A", member_of=(a,))
    store = BoardStore(world.database)
    assert await _names(store, reviewer) == ["UBND xã An Bình"]
    assert await _names(store, admin) == ["UBND xã Bình Minh"]
    assert await _names(store, member) == []  # a plain member has no board
    assert (await store.detail(reviewer, a, today=TODAY)).row.unit_id == a
    for person, unit_id in ((reviewer, b), (admin, a), (member, a), (reviewer, 999_999)):
        with pytest.raises(NotFound):  # out of scope and missing read alike
            await store.detail(person, unit_id, today=TODAY)


async def test_status_keys_percent_and_counts(world: BoardWorld) -> None:
    office = await world.office()
    names = ["Xã Một", "Xã Hai", "Xã Ba", "Xã Bốn", "Xã Năm", "Xã Sáu", "Xã Bảy"]
    units = [await world.unit(n, office_id=office) for n in names]
    reviewer = await world.person("R", reviewer_of=(office,))
    # Một: nothing. Hai: 4 of 13. Ba: all at level 2. Bốn: all, 2.1 below level 1 (level 0).
    await world.answer(units[1], {k: VALUES[k] for k in IDS[:4]})
    await world.answer(units[2], VALUES)
    await world.answer(units[3], {**VALUES, "2.1": {"count": 10}})
    submitted = await world.answer(units[4], VALUES)
    await world.set_status(submitted, "submitted", submitted_level=2)
    returned = await world.answer(units[5], VALUES)
    await world.set_status(returned, "returned")
    recognised = await world.answer(units[6], VALUES)
    await world.set_status(recognised, "recognised", recognised_level=1)
    store = BoardStore(world.database)
    page = await store.units(reviewer, UnitFilter(), today=TODAY)
    by_name = {r.name: r for r in page.rows}
    assert [by_name[n].status for n in names] == [
        "not_started",
        "in_progress",
        "self_assessed",
        "self_assessed",
        "submitted",
        "returned",
        "recognised",
    ]
    assert by_name["Xã Hai"].percent == 4 * 100 // 13 == 30
    assert by_name["Xã Hai"].status_text == "đang làm 30%"
    assert by_name["Xã Ba"].status_text == "tự đánh giá: mức 2"
    assert by_name["Xã Bốn"].status_text == "tự đánh giá: không đạt"
    assert by_name["Xã Bảy"].status_text == "đã công nhận mức 1"
    assert by_name["Xã Một"].status_text == "chưa bắt đầu"
    assert by_name["Xã Năm"].submitted_level == 2
    assert page.counts == {
        "not_started": 1,
        "in_progress": 1,
        "self_assessed": 2,
        "submitted": 1,
        "returned": 1,
        "recognised": 1,
    }
    assert page.total == 7
    filtered = await store.units(reviewer, UnitFilter(status="self_assessed"), today=TODAY)
    assert sorted(r.name for r in filtered.rows) == ["Xã Ba", "Xã Bốn"]
    assert filtered.total == 2
    assert filtered.counts == page.counts
    assert await _names(store, reviewer, level=0) == ["Xã Bốn"]
    # The SQL status key says what review.board.status_key says.
    for row in page.rows:
        assert row.status == _python_key(row.status, row.answered, row.total)


def _python_key(stored: str, answered: int, total: int) -> str:
    raw = {"not_started": None, "in_progress": "draft", "self_assessed": "draft"}.get(
        stored, stored
    )
    return status_key(raw, answered, total)


async def test_search_ignores_case_and_diacritics(world: BoardWorld) -> None:
    office = await world.office()
    for name in ("Trường THCS Đống Đa", "UBND phường Hà Nội", "Thư viện Hải Dương", "Xã 100%"):
        await world.unit(name, office_id=office)
    reviewer = await world.person("R", reviewer_of=(office,))
    store = BoardStore(world.database)
    assert await _names(store, reviewer, search="ha noi") == ["UBND phường Hà Nội"]
    assert await _names(store, reviewer, search="DONG da") == ["Trường THCS Đống Đa"]
    assert await _names(store, reviewer, search="đống") == ["Trường THCS Đống Đa"]
    assert await _names(store, reviewer, search="  hai   duong ") == ["Thư viện Hải Dương"]
    assert await _names(store, reviewer, search="%") == ["Xã 100%"]  # a literal, not a wildcard
    assert await _names(store, reviewer, search="_") == []


async def test_rows_written_by_hand_are_folded_before_a_search(world: BoardWorld) -> None:
    office = await world.office()
    reviewer = await world.person("R", reviewer_of=(office,))

    def insert(session: Session) -> None:
        session.connection().execute(
            text(
                "INSERT INTO units (name, tier, unit_type, province, office_id, active, "
                "created_at) VALUES ('Xã Quảng Điền', 'huyen', 'ubnd_xa', 'Huế', :o, :t, :c)"
            ),
            {"o": office, "t": True, "c": dt.datetime(2026, 1, 1)},
        )

    await transaction(world.database, insert)
    store = BoardStore(world.database)
    assert await _names(store, reviewer, search="quang dien") == ["Xã Quảng Điền"]


async def test_filter_by_type_sort_both_ways_and_pages(world: BoardWorld) -> None:
    office = await world.office()
    await world.unit("Ấp Bắc", office_id=office)
    await world.unit("Đông Hà", office_id=office)
    await world.unit("Cẩm Lệ", office_id=office)
    await world.unit("Bình Thạnh", office_id=office)
    school = await world.unit("Trường THPT An Nhơn", office_id=office, unit_type="thpt")
    reviewer = await world.person("R", reviewer_of=(office,))
    store = BoardStore(world.database)
    # Folded name order: “Đông” sorts as “dong”, between “cam” and “truong”.
    assert await _names(store, reviewer) == [
        "Ấp Bắc",
        "Bình Thạnh",
        "Cẩm Lệ",
        "Đông Hà",
        "Trường THPT An Nhơn",
    ]
    assert (await _names(store, reviewer, descending=True))[0] == "Trường THPT An Nhơn"
    assert await _names(store, reviewer, unit_type="thpt") == ["Trường THPT An Nhơn"]
    await world.answer(school, {k: VALUES[k] for k in IDS[:2]}, evidence=False)
    top = await _names(store, reviewer, sort="percent", descending=True)
    assert top[0] == "Trường THPT An Nhơn"
    first = await store.units(reviewer, UnitFilter(per_page=2, page=1), today=TODAY)
    third = await store.units(reviewer, UnitFilter(per_page=2, page=3), today=TODAY)
    assert [r.name for r in first.rows] == ["Ấp Bắc", "Bình Thạnh"]
    assert [r.name for r in third.rows] == ["Trường THPT An Nhơn"]
    assert (first.total, first.pages, third.pages) == (5, 3, 3)
    beyond = await store.units(reviewer, UnitFilter(per_page=2, page=9), today=TODAY)
    assert beyond.rows == ()
    assert beyond.total == 5


async def test_deadline_in_force_and_days_left_sort(world: BoardWorld) -> None:
    office, other = await world.office(province="Hưng Yên"), await world.office("Phòng khác")
    early = await world.unit("Xã Sớm", office_id=office)
    await world.unit("Xã Thường", office_id=other, province="Lạng Sơn")
    await world.unit("Xã Tỉnh", office_id=other, province="Hưng Yên")
    reviewer = await world.person("R", reviewer_of=(office, other))

    def add(session: Session) -> None:
        add_deadline(
            session,
            actor=Actor.operator(),
            data=NewDeadline(
                year=YEAR, due_on=dt.date(2026, 12, 20), title="Hạn của phòng", office_id=office
            ),
        )
        add_deadline(
            session,
            actor=Actor.operator(),
            data=NewDeadline(
                year=YEAR, due_on=dt.date(2026, 12, 31), title="Hạn tỉnh", province="Hưng Yên"
            ),
        )

    await transaction(world.database, add)
    store = BoardStore(world.database)
    page = await store.units(reviewer, UnitFilter(sort="days_left"), today=TODAY)
    got = [(r.name, r.deadline_text, r.days_left, r.days_text) for r in page.rows]
    assert got == [
        ("Xã Sớm", "20/12/2026", 13, "còn 13 ngày"),
        ("Xã Tỉnh", "31/12/2026", 24, "còn 24 ngày"),
        ("Xã Thường", "15/01/2027", 39, "còn 39 ngày"),
    ]
    calendars = CalendarStore(world.database)
    for row in page.rows:  # the chat's and the reminders' calendar says the same
        assert row.deadline == await calendars.effective_deadline(row.unit_id, YEAR)
    late = await store.units(reviewer, UnitFilter(), today=dt.date(2026, 12, 22))
    assert {r.name: r.days_text for r in late.rows}["Xã Sớm"] == "quá hạn 3 ngày"  # last day 19/12
    detail = await store.detail(reviewer, early, today=TODAY)
    assert detail.row.deadline == dt.date(2026, 12, 20)


async def test_a_new_answer_shows_at_once(world: BoardWorld) -> None:
    """The standing is cached, yet the list never shows a figure older than the answers."""
    office = await world.office()
    unit = await world.unit("Xã Mới", office_id=office)
    member = await world.person("Thành viên", member_of=(unit,))
    reviewer = await world.person("R", reviewer_of=(office,))
    aid = await world.answer(unit, {IDS[0]: VALUES[IDS[0]]}, by=member)
    store = BoardStore(world.database)
    first = (await store.units(reviewer, UnitFilter(), today=TODAY)).rows[0]
    assert (first.answered, first.total, first.status) == (1, 13, "in_progress")

    def chat_answer(session: Session) -> None:  # the chat's own statement
        assessment_sql.record_answer(
            session,
            actor=Actor.person(member),
            assessment_id=aid,
            indicator_id=IDS[1],
            value=VALUES[IDS[1]],
        )

    await transaction(world.database, chat_answer)
    again = (await store.units(reviewer, UnitFilter(), today=TODAY)).rows[0]
    assert again.answered == 2
    # Every indicator answered: the engine's level shows, and it is the engine's.
    await world.answer(unit, VALUES, by=member)
    done = (await store.units(reviewer, UnitFilter(), today=TODAY)).rows[0]
    assert (done.status, done.level) == ("self_assessed", 2)
    # Removing the evidence of one indicator drops it to level 0 at once.
    evidence_ids = await _evidence_of(world.database, aid, IDS[0])
    assert len(evidence_ids) == 2  # once with the first answer, once with the last

    def remove(session: Session) -> None:
        for evidence_id in evidence_ids:
            AssessmentRepository().remove_evidence(
                session, actor=Actor.person(member), evidence_id=evidence_id, indicator_id=IDS[0]
            )

    await transaction(world.database, remove)
    dropped = (await store.units(reviewer, UnitFilter(), today=TODAY)).rows[0]
    assert dropped.level == 0


async def _evidence_of(database: Database, assessment_id: int, indicator_id: str) -> list[int]:
    def work(session: Session) -> list[int]:
        rows = session.connection().execute(
            text(
                "SELECT e.id FROM evidence e JOIN evidence_indicators l ON l.evidence_id = e.id "
                "WHERE e.assessment_id = :a AND l.indicator_id = :i ORDER BY e.id"
            ),
            {"a": assessment_id, "i": indicator_id},
        )
        return [r[0] for r in rows]

    return await read(database, work)


async def test_detail_answers_history_and_audit(world: BoardWorld) -> None:
    office = await world.office()
    unit = await world.unit("Xã Chi Tiết", office_id=office)
    member = await world.person("Chị Hoa", member_of=(unit,))
    reviewer = await world.person("R", reviewer_of=(office,))
    aid = await world.answer(unit, {IDS[0]: VALUES[IDS[0]]}, by=member)
    await world.answer(unit, {IDS[0]: {"met": False}}, by=member, evidence=False)
    await world.answer(unit, {IDS[0]: VALUES[IDS[0]]}, by=member, evidence=False, year=YEAR - 1)
    store = BoardStore(world.database)
    detail = await store.detail(reviewer, unit, today=TODAY)
    line = detail.answers[0]
    assert (line.indicator_id, line.answer, line.answered_by, line.revisions) == (
        IDS[0],
        "chưa đạt",
        "Chị Hoa",
        2,
    )
    assert [y.year for y in detail.years] == [YEAR, YEAR - 1]
    assert detail.audit[0].what == "trả lời chỉ tiêu 1.1"
    assert detail.audit[0].who == "Chị Hoa"
    assert detail.gaps
    assert detail.gaps[0][0] == "Để đạt mức độ 1"
    assert len(detail.evidence) == 1
    assert not detail.evidence[0].has_file
    assert not detail.can_review
    await world.set_status(aid, "submitted", submitted_level=1)
    assert (await store.detail(reviewer, unit, today=TODAY)).can_review
    admin = await world.person("Quản trị", admin_of=(unit,))
    assert not (await store.detail(admin, unit, today=TODAY)).can_review


async def test_chart_numbers_match_the_engine(
    world: BoardWorld, rulebooks: dict[str, Rulebook]
) -> None:
    office = await world.office()
    reviewer = await world.person("R", reviewer_of=(office,))
    overrides: list[dict[str, Any]] = [
        {},
        {"2.1": {"count": 10}},
        {"2.1": {"count": 10}, "1.1": {"met": False}},
        {"2.2": {"count": 92}},
    ]
    expected_levels = {"level_2": 0, "level_1": 0, "level_0": 0, "incomplete": 2}
    expected_failed: Counter[str] = Counter()
    for n, changed in enumerate(overrides):
        unit = await world.unit(f"Xã {n}", office_id=office)
        await world.answer(unit, {**VALUES, **changed})
        evidence = {k: {**v, "evidence": [f"Minh chứng {k}"]} for k, v in changed.items()}
        evaluation = evaluate(rulebooks["huyen"], build(rulebooks, overrides=evidence))
        expected_levels[f"level_{evaluation.level}"] += 1
        expected_failed.update(
            i for i, result in evaluation.indicators.items() if result.level == 0
        )
    partial = await world.unit("Xã đang làm", office_id=office)
    await world.answer(partial, {k: VALUES[k] for k in IDS[:5]})
    await world.unit("Xã chưa làm", office_id=office)
    store = BoardStore(world.database)
    charts = await store.charts(reviewer, today=TODAY)
    assert charts.levels == expected_levels
    assert len({v for k, v in expected_levels.items() if k != "incomplete"}) > 1
    assert {f.indicator_id: f.units for f in charts.failed} == dict(expected_failed)
    answered = 13 * len(overrides) + 5
    last = charts.progress[-1]
    assert (last.answered, last.total) == (answered, 13 * (len(overrides) + 2))
    assert last.percent == answered * 100 // last.total


async def test_a_search_with_control_characters_finds_nothing_odd(world: BoardWorld) -> None:
    office = await world.office()
    await world.unit("Xã An Hòa", office_id=office)
    reviewer = await world.person("R", reviewer_of=(office,))
    store = BoardStore(world.database)
    assert await _names(store, reviewer, search="an\x00 hoa") == ["Xã An Hòa"]
    assert await _names(store, reviewer, search="\x00") == ["Xã An Hòa"]  # empty: no filter
