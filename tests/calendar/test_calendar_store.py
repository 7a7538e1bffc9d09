"""The calendar's rows on SQLite and PostgreSQL (issue 13): office dates added, listed and
removed (marked, never deleted), receiving-office settings, and a unit's effective deadline."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session, select

from conversations.errors import NotFound
from conversations.records import Actor
from storage import calendar_store as store
from storage.db import Database
from storage.schemas import NewOffice, NewUnit
from storage.tables import AuditEntry, Deadline
from storage.units import OfficeRepository, UnitRepository
from storage.uow import read, transaction

OPERATOR = Actor.operator()
D = dt.date


async def _setup(database: Database) -> tuple[int, int, int]:
    """An office in Hưng Yên, a unit of that office (typed “tỉnh Hưng Yên”) and a unit in
    Hà Nội without an office."""

    def work(session: Session) -> tuple[int, int, int]:
        units = UnitRepository()
        office_id = OfficeRepository().create(
            session, actor=OPERATOR, data=NewOffice(name="UBND xã Văn Giang", province="Hưng Yên")
        )
        reviewed = units.create(
            session,
            actor=OPERATOR,
            data=NewUnit(
                name="Trường THCS Văn Giang",
                tier="huyen",
                unit_type="pho_thong",
                province="tỉnh Hưng Yên",
                office_id=office_id,
            ),
        )
        other = units.create(
            session,
            actor=OPERATOR,
            data=NewUnit(
                name="UBND xã Hòa Bình", tier="huyen", unit_type="ubnd_xa", province="Hà Nội"
            ),
        )
        return office_id, reviewed.id, other.id

    return await transaction(database, work)


async def _add(database: Database, data: store.NewDeadline) -> int:
    added = await transaction(database, lambda s: store.add_deadline(s, actor=OPERATOR, data=data))
    return added.id


async def test_the_effective_deadline_is_the_earliest_in_force(database: Database) -> None:
    office_id, unit_id, other_id = await _setup(database)
    calendars = store.CalendarStore(database)
    assert await calendars.effective_deadline(unit_id, 2026) == D(2027, 1, 15)
    by_province = await _add(
        database, store.NewDeadline(2026, D(2027, 1, 5), "Nộp hồ sơ về xã", province="Hưng Yên")
    )
    assert await calendars.effective_deadline(unit_id, 2026) == D(2027, 1, 5)
    by_office = await _add(
        database, store.NewDeadline(2026, D(2026, 12, 28), "Nộp sớm", office_id=office_id)
    )
    assert await calendars.effective_deadline(unit_id, 2026) == D(2026, 12, 28)
    # Another year, another province: untouched.
    await _add(database, store.NewDeadline(2027, D(2027, 12, 1), "Năm sau", province="Hưng Yên"))
    assert await calendars.effective_deadline(unit_id, 2026) == D(2026, 12, 28)
    assert await calendars.effective_deadline(other_id, 2026) == D(2027, 1, 15)
    # Removing a date brings back the next one.
    await transaction(
        database, lambda s: store.remove_deadline(s, actor=OPERATOR, deadline_id=by_office)
    )
    calendar = await calendars.unit_calendar(unit_id, 2026)
    assert calendar.deadline == D(2027, 1, 5)
    earliest = calendar.earliest_office_deadline
    assert earliest is not None
    assert (earliest.id, earliest.title) == (by_province, "Nộp hồ sơ về xã")


async def test_removal_is_marked_never_deleted_and_only_once(database: Database) -> None:
    office_id, _, _ = await _setup(database)
    deadline_id = await _add(
        database, store.NewDeadline(2026, D(2026, 12, 20), "Hạn nội bộ", office_id=office_id)
    )
    removed = await transaction(
        database, lambda s: store.remove_deadline(s, actor=OPERATOR, deadline_id=deadline_id)
    )
    assert removed.office_name == "UBND xã Văn Giang"
    row = await read(database, lambda s: s.get(Deadline, deadline_id))
    assert row is not None
    assert row.removed_at is not None
    with pytest.raises(store.DeadlineGone) as again:
        await transaction(
            database, lambda s: store.remove_deadline(s, actor=OPERATOR, deadline_id=deadline_id)
        )
    assert again.value.removed_at is not None
    with pytest.raises(store.DeadlineGone) as unknown:
        await transaction(
            database, lambda s: store.remove_deadline(s, actor=OPERATOR, deadline_id=999)
        )
    assert unknown.value.removed_at is None
    actions = await read(database, lambda s: [a.action for a in s.exec(select(AuditEntry)).all()])
    assert actions.count("deadline.add") == 1
    assert actions.count("deadline.remove") == 1


async def test_an_unknown_office_is_not_found(database: Database) -> None:
    with pytest.raises(NotFound):
        await _add(database, store.NewDeadline(2026, D(2026, 12, 20), "x", office_id=42))


async def test_listing_by_province_year_and_office(database: Database) -> None:
    office_id, _, _ = await _setup(database)
    a = await _add(database, store.NewDeadline(2026, D(2027, 1, 5), "A", province="Hưng Yên"))
    b = await _add(database, store.NewDeadline(2026, D(2026, 12, 28), "B", office_id=office_id))
    c = await _add(database, store.NewDeadline(2026, D(2026, 12, 30), "C", province="Hà Nội"))
    d = await _add(database, store.NewDeadline(2027, D(2027, 6, 1), "D", province="Hưng Yên"))

    async def listing(**kwargs: object) -> list[int]:
        def work(s: Session) -> list[int]:
            return [x.id for x in store.deadlines(s, **kwargs)]  # type: ignore[arg-type]

        return await read(database, work)

    assert await listing() == [b, c, a, d]
    assert await listing(year=2026) == [b, c, a]
    assert await listing(year=2026, province="ha noi") == [c]
    assert await listing(province="Thái Bình") == [b, a, d]  # merged into Hưng Yên in 2025
    assert await listing(office_id=office_id) == [b]


async def test_office_settings_by_province_and_unit(database: Database) -> None:
    _, unit_id, other_id = await _setup(database)

    def work(session: Session) -> None:
        store.set_office(
            session,
            actor=OPERATOR,
            province="Hưng Yên",
            tier="huyen",
            office="Phòng Văn hóa – Xã hội, UBND xã",
            authority="Chủ tịch UBND xã",
            effective_from=D(2025, 7, 1),
        )
        store.set_office(
            session,
            actor=OPERATOR,
            province="Hưng Yên",
            tier="huyen",
            office="Sở Giáo dục và Đào tạo",
            authority=None,
            effective_from=D(2026, 1, 1),
            unit_id=unit_id,
        )

    await transaction(database, work)
    calendars = store.CalendarStore(database)
    mine = (await calendars.unit_calendar(unit_id, 2026)).office()
    assert (mine.office, mine.set_by) == ("Sở Giáo dục và Đào tạo", "unit")
    elsewhere = (await calendars.unit_calendar(other_id, 2026)).office()
    assert elsewhere.set_by == "law"
    assert "theo kế hoạch của tỉnh" in elsewhere.office


async def test_a_unit_that_does_not_exist(database: Database) -> None:
    with pytest.raises(NotFound):
        await store.CalendarStore(database).effective_deadline(404, 2026)


async def test_province_aliases_map_typed_names_to_the_calendars(database: Database) -> None:
    await _setup(database)  # units in “tỉnh Hưng Yên” and “Hà Nội”

    def more(session: Session) -> None:
        for province in ("TP. Hà Nội", "Thái Bình", "Xứ Đoài"):
            UnitRepository().create(
                session,
                actor=OPERATOR,
                data=NewUnit(name="Đơn vị", tier="huyen", unit_type="co_quan", province=province),
            )

    await transaction(database, more)
    aliases = await read(database, store.province_aliases)
    assert aliases == {
        "tỉnh Hưng Yên": "Hưng Yên",
        "Hà Nội": "Hà Nội",
        "TP. Hà Nội": "Hà Nội",
        "Thái Bình": "Hưng Yên",
        "Xứ Đoài": "Xứ Đoài",
    }
