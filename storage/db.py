"""The database: embedded SQLite by default, PostgreSQL when DATABASE_URL says so.

Repositories are plain synchronous SQLModel code, and every use case runs as one transaction:
- on SQLite, on one worker thread that owns the file, with the standard `sqlite3` driver: one
  thread hop per use case.
  (Measured on the 2-core machine: an answer write through aiosqlite took 1.72 ms, because
  every statement, fetch and cursor close crosses a thread; the same write run whole in a
  worker thread took 0.31 ms.);
- on PostgreSQL, on the async asyncpg driver through SQLAlchemy's `run_sync`, so the event loop
  never blocks on the network.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, event
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session
from sqlmodel.ext.asyncio.session import AsyncSession

T = TypeVar("T")
SQLITE_FILE = "dvht.sqlite3"
BUSY_TIMEOUT_MS = 5000
WRITE_OPTION = "dvht_write"
"""Execution option marking a transaction that will write (SQLite takes the lock up front)."""


def default_database_url(data_dir: Path) -> str:
    """The embedded database: one SQLite file under the data directory."""
    return f"sqlite:///{(data_dir / SQLITE_FILE).resolve()}"


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _sqlite_url(url: str) -> URL:
    """Any SQLite URL (also `sqlite+aiosqlite://`) on the standard-library driver."""
    return make_url(url).set(drivername="sqlite")


def _postgres_url(url: str) -> URL:
    """A PostgreSQL URL on the asyncpg driver (`postgresql://` is accepted too)."""
    parsed = make_url(url)
    return (
        parsed.set(drivername="postgresql+asyncpg")
        if parsed.drivername in ("postgresql", "postgres")
        else parsed
    )


def sqlite_engine(url: str, **kwargs: Any) -> Engine:
    """A synchronous SQLite engine in WAL mode, with a busy timeout and foreign keys on."""
    parsed = _sqlite_url(url)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    kwargs.setdefault("connect_args", {"check_same_thread": False})
    engine = create_sync_engine(parsed, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when a transaction begins (SQLAlchemy's
        # documented pysqlite recipe); `_on_begin` then picks the kind of BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A use case that writes takes the write lock up front: a deferred transaction that
        # reads and then writes would fail at once under concurrency instead of waiting for
        # the busy timeout. Reads stay deferred and never block each other (WAL).
        if connection.get_execution_options().get(WRITE_OPTION):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")

    return engine


def postgres_engine(url: str, **kwargs: Any) -> AsyncEngine:
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(_postgres_url(url), **kwargs)


@dataclass
class Database:
    """Runs synchronous use cases as transactions, off the event loop."""

    url: str
    sync_engine: Engine | None = None
    async_engine: AsyncEngine | None = None

    def __post_init__(self) -> None:
        if self.sync_engine is None and self.async_engine is None:
            if is_sqlite(self.url):
                self.sync_engine = sqlite_engine(self.url)
            else:
                self.async_engine = postgres_engine(self.url)
        if self.sync_engine is not None:
            self._sessions: Any = sessionmaker(
                self.sync_engine, class_=Session, expire_on_commit=False
            )
            # One thread owns the SQLite file: concurrent transactions queue here instead of
            # contending for the file lock, whose busy handler sleeps in steps of milliseconds.
            self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dvht-sqlite")
        else:
            self._sessions = async_sessionmaker(
                self.async_engine, class_=AsyncSession, expire_on_commit=False
            )

    @property
    def dialect(self) -> str:
        engine = self.sync_engine or self.async_engine
        assert engine is not None
        return engine.dialect.name

    async def run(self, work: Callable[[Session], T], *, write: bool) -> T:
        """Run `work(session)` in one transaction: committed if it returns, rolled back if not."""
        if self.sync_engine is not None:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._worker, self._run_sync, work, write)
        async with self._sessions() as session, session.begin():
            await session.connection(execution_options={WRITE_OPTION: write})
            return await session.run_sync(work)  # type: ignore[no-any-return]

    def _run_sync(self, work: Callable[[Session], T], write: bool) -> T:
        with self._sessions() as session, session.begin():
            session.connection(execution_options={WRITE_OPTION: write})
            return work(session)

    async def run_connection(self, work: Callable[[Any], T]) -> T:
        """Run `work(connection)` on a plain connection in a transaction (migrations)."""
        if self.sync_engine is not None:

            def run() -> T:
                assert self.sync_engine is not None
                with self.sync_engine.begin() as connection:
                    return work(connection)

            return await asyncio.get_running_loop().run_in_executor(self._worker, run)
        assert self.async_engine is not None
        async with self.async_engine.begin() as connection:
            return await connection.run_sync(work)

    async def close(self) -> None:
        if self.sync_engine is not None:
            self._worker.shutdown(wait=True)
            self.sync_engine.dispose()
        if self.async_engine is not None:
            await self.async_engine.dispose()
