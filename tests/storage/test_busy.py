"""A database another writer holds: waited for without stopping the event loop, then refused
with one sentence, and nothing half-written. A full disk is told apart from busy.

The lock is held by another process, as a `dvht import` or a `sqlite3` shell would hold it;
on PostgreSQL by another connection holding a row lock (a lock timeout) or deadlocking.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import shutil
import sqlite3
import sys
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlmodel import Session

import storage.db
import storage.uow
from conversations import catalogue as say
from conversations.errors import StorageBusy, StorageFull
from conversations.messages import Inbound, Outbound
from conversations.records import Actor
from conversations.service import ConversationService
from storage.db import Database
from storage.dialogue_store import SqlDialogueStore
from storage.schemas import NewUnit
from storage.units import UnitRepository
from storage.uow import read, transaction

CLOCK = dt.datetime(2025, 11, 20, 2, 0, tzinfo=dt.UTC)
UNIT = NewUnit(name="UBND xã Quảng An", tier="huyen", unit_type="ubnd_xa", province="Huế")
HOLDER = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN IMMEDIATE")
print("held", flush=True)
sys.stdin.readline()
connection.execute("COMMIT")
"""
"""Another process that takes SQLite's write lock and keeps it until told to let go."""


class LockHolder:
    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    async def release(self) -> None:
        if self.process.returncode is None:
            assert self.process.stdin is not None
            self.process.stdin.write(b"go\n")
            await self.process.stdin.drain()
            await self.process.wait()
        assert self.process.returncode == 0


async def hold_lock(path: Path) -> LockHolder:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        HOLDER,
        str(path),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    assert await asyncio.wait_for(process.stdout.readline(), 30) == b"held\n"
    return LockHolder(process)


class LoopWatch:
    """Ticks every 10 ms on the event loop; `longest` is the longest gap between ticks, i.e.
    the longest time nobody else could be served."""

    def __init__(self) -> None:
        self.longest = 0.0
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> LoopWatch:
        self._task = asyncio.create_task(self._tick())
        await asyncio.sleep(0)
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self._task is not None
        self._task.cancel()

    async def _tick(self) -> None:
        last = time.monotonic()
        while True:
            await asyncio.sleep(0.01)
            now = time.monotonic()
            self.longest = max(self.longest, now - last)
            last = now


@pytest.fixture
def sqlite_file(sqlite_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "dvht.sqlite3"
    shutil.copy(sqlite_template, path)
    return path


@pytest.fixture
async def sqlite_db(sqlite_file: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite:///{sqlite_file}")
    yield database
    await database.close()


def _create_unit(session: Session) -> int:
    return UnitRepository().create(session, actor=Actor.operator(), data=UNIT).id


def _count(table: str) -> Callable[[Session], int]:
    return lambda session: int(session.exec(text(f"SELECT count(*) FROM {table}")).one()[0])  # type: ignore[call-overload]


def _service(database: Database) -> ConversationService:
    return ConversationService(SqlDialogueStore(database), clock=lambda: CLOCK)


def _message(user: str, update: str, text_: str) -> Inbound:
    return Inbound("telegram", user, user, update, text=text_, display_name=user)


def _no_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    logged = [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert not logged, [r.getMessage() for r in logged]


async def test_a_locked_file_is_waited_for_while_the_loop_serves_everyone(
    sqlite_db: Database, sqlite_file: Path
) -> None:
    holder = await hold_lock(sqlite_file)
    async with LoopWatch() as watch:
        waiting = asyncio.create_task(transaction(sqlite_db, _create_unit))
        await asyncio.sleep(1.0)  # the write waits; the loop goes on ticking
        assert not waiting.done()
        # Another user's read is served meanwhile (WAL: readers never wait for the writer).
        assert await read(sqlite_db, _count("units")) == 0
        await holder.release()
        unit_id = await asyncio.wait_for(waiting, 10)
    assert unit_id >= 1
    assert await read(sqlite_db, _count("units")) == 1
    # With the former inline 5-second busy timeout the loop stopped for the whole wait.
    assert watch.longest < 0.5, f"the event loop stood still for {watch.longest:.2f} s"


async def test_a_lock_held_past_the_bound_refuses_every_user_with_the_busy_sentence(
    sqlite_db: Database,
    sqlite_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(storage.uow, "BUSY_WAIT_S", 1.0)
    service = _service(sqlite_db)
    holder = await hold_lock(sqlite_file)
    try:
        async with LoopWatch() as watch:
            started = time.monotonic()
            replies = await asyncio.gather(
                *(service.handle(_message(f"u{n}", f"{n}", "/start")) for n in range(5))
            )
            waited = time.monotonic() - started
    finally:
        await holder.release()
    assert replies == [[Outbound(say.STORAGE_BUSY, kind="error")]] * 5
    assert say.STORAGE_BUSY == (
        "Hệ thống đang bận; câu trả lời chưa được lưu, hãy gửi lại sau ít phút."
    )
    assert 0.9 <= waited < 8, waited  # the five waited together, about the bound
    assert watch.longest < 0.5, watch.longest
    for table in ("people", "processed_updates", "conversation_states", "audit_log"):
        assert await read(sqlite_db, _count(table)) == 0, table  # nothing half-written
    _no_tracebacks(caplog)
    # Once the lock is free, the same message (sent again) is handled.
    again = await service.handle(_message("u0", "0-again", "/start"))
    assert again
    assert again[0].text != say.STORAGE_BUSY


async def test_a_write_that_finds_the_lock_taken_mid_way_keeps_nothing(
    sqlite_db: Database, sqlite_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Busy raised by a statement after others already ran (a deferred read that then
    writes, as `read()` would): the whole transaction rolls back, then waits and runs again."""
    monkeypatch.setattr(storage.uow, "BUSY_WAIT_S", 0.5)
    holder = await hold_lock(sqlite_file)
    runs: list[int] = []

    def read_then_write(session: Session) -> int:
        runs.append(_count("units")(session))
        return _create_unit(session)

    try:
        with pytest.raises(StorageBusy):
            await read(sqlite_db, read_then_write)
    finally:
        await holder.release()
    assert len(runs) > 1  # retried with backoff within the bound
    assert await read(sqlite_db, _count("units")) == 0
    assert await read(sqlite_db, read_then_write) >= 1  # free again: it goes through


async def test_a_full_disk_is_not_busy(
    sqlite_db: Database,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """SQLITE_FULL ("database or disk is full"), made real by capping the file at its size."""
    assert sqlite_db.sync_engine is not None
    service = _service(sqlite_db)
    await service.handle(_message("u0", "warm-up", "/start"))  # the connection is open now

    @event.listens_for(sqlite_db.sync_engine, "begin")
    def _cap(connection: Any) -> None:
        raw = connection.connection.driver_connection
        pages = raw.execute("PRAGMA page_count").fetchone()[0]
        raw.execute(f"PRAGMA max_page_count={pages}")

    before = await read(sqlite_db, _count("people"))
    handled = 0
    for n in range(500):  # new people until the file needs a page it may not have
        started = time.monotonic()
        replies = await service.handle(_message(f"new{n}", f"full-{n}", "/start"))
        if replies[0].text == say.STORAGE_FULL:
            break
        handled += 1
    assert replies == [Outbound(say.STORAGE_FULL, kind="error")]
    assert time.monotonic() - started < 5  # refused at once, not waited for as busy
    assert say.STORAGE_FULL.startswith("Máy chủ hết dung lượng lưu trữ")
    with pytest.raises(StorageFull):
        await transaction(sqlite_db, lambda session: [_create_unit(session) for _ in range(300)])
    assert await read(sqlite_db, _count("people")) == before + handled  # none half-written
    _no_tracebacks(caplog)


# --- PostgreSQL: a lock wait past lock_timeout, and a deadlock ---------------------------------


@pytest.fixture
async def two_pools(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[Database, Database]]:
    """Two databases on the test's database (two processes' pools), with a short lock timeout
    so that a lock wait fails within a test's time."""
    monkeypatch.setattr(storage.db, "LOCK_TIMEOUT_MS", 300)
    first, second = Database(database_url), Database(database_url)
    if first.dialect == "postgresql":
        from tests.db_fixtures import wipe_sql

        await first.run_connection(lambda connection: connection.execute(text(wipe_sql())))
    yield first, second
    await first.close()
    await second.close()


async def test_postgresql_lock_timeout_is_busy_and_waited_for(
    two_pools: tuple[Database, Database], monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = two_pools
    if first.dialect != "postgresql":
        return  # SQLite's lock is another process's: the tests above
    unit_id = await transaction(first, _create_unit)
    monkeypatch.setattr(storage.uow, "BUSY_WAIT_S", 1.5)

    def rename(session: Session) -> None:
        session.exec(text(f"UPDATE units SET name = 'B' WHERE id = {unit_id}"))  # type: ignore[call-overload]

    locked = asyncio.Event()
    release = asyncio.Event()

    async def hold() -> None:
        """The first pool keeps the row locked in an open transaction until released."""
        assert first.async_engine is not None
        async with first.async_engine.begin() as connection:
            await connection.execute(text(f"SELECT id FROM units WHERE id = {unit_id} FOR UPDATE"))
            locked.set()
            await asyncio.wait_for(release.wait(), 30)

    # Held past the bound: StorageBusy, after several lock timeouts of 0.3 s.
    holding = asyncio.create_task(hold())
    await locked.wait()
    started = time.monotonic()
    with pytest.raises(StorageBusy):
        await transaction(second, rename)
    assert 1.4 <= time.monotonic() - started < 10
    release.set()
    await holding
    # Held for less than the bound: the update waits and goes through.
    locked.clear()
    release.clear()
    holding = asyncio.create_task(hold())
    await locked.wait()
    asyncio.get_running_loop().call_later(0.5, release.set)
    await transaction(second, rename)
    await holding


async def test_a_postgresql_deadlock_is_busy(
    two_pools: tuple[Database, Database], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The victim of a real deadlock (40P01, found after the server's 1 s deadlock_timeout,
    hence the longer lock timeout here) is classified busy, so `storage.uow` runs it again
    instead of reporting an internal error."""
    from storage.faults import Fault, classify

    if two_pools[0].dialect != "postgresql":
        return  # SQLite has one writer at a time: no deadlock between writers
    monkeypatch.setattr(storage.db, "LOCK_TIMEOUT_MS", 10_000)
    first, second = Database(two_pools[0].url), Database(two_pools[0].url)
    a = await transaction(first, _create_unit)
    b = await transaction(first, _create_unit)
    both_locked = asyncio.Barrier(2)
    codes: list[str | None] = []

    async def cross(database: Database, one: int, other: int) -> Fault | None:
        assert database.async_engine is not None
        async with database.async_engine.connect() as connection:
            await connection.begin()
            await connection.execute(text(f"UPDATE units SET name = 'y' WHERE id = {one}"))
            await both_locked.wait()
            try:
                await connection.execute(text(f"UPDATE units SET name = 'x' WHERE id = {other}"))
            except Exception as exc:
                await connection.rollback()
                codes.append(getattr(getattr(exc, "orig", None), "sqlstate", None))
                return classify(exc)
            await connection.commit()
            return None

    try:
        outcomes = await asyncio.gather(cross(first, a, b), cross(second, b, a))
    finally:
        await first.close()
        await second.close()
    assert codes == ["40P01"]
    assert set(outcomes) == {None, Fault.BUSY}, outcomes


def test_sqlite_refuses_a_locked_write_without_waiting(sqlite_file: Path) -> None:
    """What the zero busy timeout means at the driver: a BEGIN IMMEDIATE on a locked file
    fails in well under the former 5 s (the wait is `storage.uow`'s, off the loop)."""
    holder = sqlite3.connect(sqlite_file, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        database = Database(f"sqlite:///{sqlite_file}")
        assert database.sync_engine is not None
        started = time.monotonic()
        with pytest.raises(Exception, match="database is locked"):
            asyncio.run(database.run(_create_unit, write=True))
        assert time.monotonic() - started < 1
        asyncio.run(database.close())
    finally:
        holder.execute("ROLLBACK")
        holder.close()
