"""A database that is briefly (or really) unreachable: retry once, then a clear error, and
nothing half-written."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.engine import make_url
from sqlmodel import Session

from conversations.errors import StorageUnavailable
from conversations.records import Actor
from storage.db import Database
from storage.schemas import NewUnit
from storage.tables import Unit
from storage.units import UnitRepository
from storage.uow import read, transaction

UNIT = NewUnit(name="UBND xã Quảng An", tier="huyen", unit_type="ubnd_xa", province="Huế")


def _create_unit(session: Session) -> int:
    return UnitRepository().create(session, actor=Actor.operator(), data=UNIT).id


def _refuse_connections(database: Database, times: int | None) -> list[int]:
    """Make the next `times` connection attempts fail as a down server would (None: all)."""
    attempts: list[int] = []
    engine = database.sync_engine or (database.async_engine and database.async_engine.sync_engine)

    @event.listens_for(engine, "do_connect")
    def _refuse(*_: Any) -> None:
        attempts.append(1)
        if times is None or len(attempts) <= times:
            raise ConnectionRefusedError(111, "Connection refused")

    return attempts


async def _units(database_url: str) -> int:
    database = Database(database_url)
    try:
        return await read(
            database,
            lambda session: int(session.exec(select(func.count()).select_from(Unit)).one()[0]),  # type: ignore[call-overload]
        )
    finally:
        await database.close()


async def test_one_failed_connection_is_retried(database_url: str) -> None:
    before = await _units(database_url)
    database = Database(database_url)
    attempts = _refuse_connections(database, times=1)
    try:
        unit_id = await transaction(database, _create_unit)
    finally:
        await database.close()
    assert unit_id >= 1
    assert len(attempts) == 2
    assert await _units(database_url) == before + 1


async def test_a_database_that_stays_down_gives_a_clear_error(database_url: str) -> None:
    before = await _units(database_url)
    database = Database(database_url)
    attempts = _refuse_connections(database, times=None)
    try:
        with pytest.raises(StorageUnavailable, match="chưa được lưu"):
            await transaction(database, _create_unit)
    finally:
        await database.close()
    assert len(attempts) == 2  # one retry, then give up
    assert await _units(database_url) == before


async def test_a_real_closed_port_gives_the_same_clear_error(database_url: str) -> None:
    if make_url(database_url).get_backend_name() != "postgresql":
        return  # SQLite has no server to be down
    closed = make_url(database_url).set(port=1).render_as_string(hide_password=False)
    database = Database(closed)
    try:
        with pytest.raises(StorageUnavailable):
            await transaction(database, _create_unit)
    finally:
        await database.close()


async def test_constraint_violations_are_not_retried(database_url: str) -> None:
    database = Database(database_url)
    attempts = _refuse_connections(database, times=0)

    def broken(session: Session) -> None:
        session.add(Unit(name="x", tier="xa", unit_type="ubnd_xa", province="Huế"))
        session.flush()

    try:
        with pytest.raises(Exception, match=r"(?i)check"):
            await transaction(database, broken)
    finally:
        await database.close()
    assert len(attempts) == 1
