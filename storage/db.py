"""The database: embedded SQLite by default, PostgreSQL when DATABASE_URL says so.

Repositories are plain synchronous SQLModel code, and every use case runs as one transaction:
- on SQLite, with the standard `sqlite3` driver, directly on the event loop's thread. SQLite is
  a library in this process and a chat message's transaction takes well under a millisecond,
  so there is nothing to wait for that a thread would hide. Measured on the 2-core machine:
  through aiosqlite an answer write took 1.72 ms (every statement, fetch and cursor close
  crosses a thread); run whole in one worker thread, 0.31 ms alone, but in the Telegram webhook
  benchmark the hand-offs of the GIL between that thread and the event loop cost 3.84 ms of CPU
  per update against 2.33 ms inline. Transactions of one process are therefore serialised by
  the loop itself. Another process holding the write lock (a CLI import) must not be waited
  for here, though: SQLite's busy handler sleeps in the calling thread, and with the former
  5-second busy timeout one locked message froze every user of the process (three messages
  on a locked file: 15 s of wall time, the loop stopped throughout). So the busy timeout is
  zero: a write transaction's `BEGIN IMMEDIATE` fails at once when another process holds the
  lock, before any statement runs, and `storage.uow` waits for the lock with
  `asyncio.sleep` and runs the transaction again, while the loop serves everyone else. The
  uncontended path is unchanged (the busy handler is never called when the lock is free; a
  transaction makes the same 173 calls as before). A refused attempt costs about 0.1 ms of
  CPU, so a message that waits a second for the lock spends about 3 ms polling for it. Waiting
  in a worker thread instead (the driver's own busy wait) would need a second connection
  whose transactions overlap the loop's, and brings back the GIL hand-offs measured above;
  the wait is rare, the hand-offs would not be;
- on PostgreSQL, on the async asyncpg driver through SQLAlchemy's `run_sync`, so the event loop
  never blocks on the network. Connecting gives up after a few seconds (asyncpg's default is
  60 s, and with the unit of work's retry a blackholed server held a message for 120 s), and
  a lock wait after the unit of work's busy bound.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, event
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session
from sqlmodel.ext.asyncio.session import AsyncSession

T = TypeVar("T")
SQLITE_FILE = "dvht.sqlite3"
BUSY_TIMEOUT_MS = 0
"""SQLite waits for no lock in the calling thread: `storage.uow` waits off the loop."""
CONNECT_TIMEOUT_S = 5.0
"""A PostgreSQL server that accepts the connection but never answers is given up after this."""
COMMAND_TIMEOUT_S: float | None = None
"""asyncpg's per-statement timeout, off: with one (15 s tried) asyncpg arms and cancels a timer
for every round trip, and a read transaction made 1,068 Python calls instead of 963 (11 %
more CPU on PostgreSQL's path, measured with a profiler). What it would catch, a server gone
silent on a connection already open, is left to TCP; the connect timeout above catches the
server that is down or blackholed from the start."""
LOCK_TIMEOUT_MS = 10_000
"""PostgreSQL's `lock_timeout`: a row or table lock waited for longer than the unit of
work's busy bound (`storage.uow.BUSY_WAIT_S`) is given up as busy. The wait itself is on
the server and never blocks the loop."""
WRITE_OPTION = "dvht_write"
"""Execution option marking a transaction that will write (SQLite takes the lock up front)."""
_BEGIN = "dvht_begin"
"""Where the `begin` event leaves the BEGIN statement for `do_begin` (the connection's info)."""


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
    """A synchronous SQLite engine in WAL mode, foreign keys on, waiting for no lock inline."""
    parsed = _sqlite_url(url)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    # `timeout` is the driver's busy timeout from the first statement on (its default, 5 s,
    # would apply to the PRAGMAs below).
    kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 0})
    engine = create_sync_engine(parsed, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when a transaction begins (SQLAlchemy's
        # documented pysqlite recipe); `_on_begin` then picks the kind of BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A use case that writes takes the write lock up front: a deferred transaction that
        # reads and then writes could not be run again from where it failed, and a BEGIN
        # IMMEDIATE refused while another process writes has done nothing yet.
        # Reads stay deferred and never block each other (WAL).
        connection.connection.info[_BEGIN] = (
            "BEGIN IMMEDIATE" if connection.get_execution_options().get(WRITE_OPTION) else "BEGIN"
        )

    def _do_begin(dbapi_connection: Any) -> None:
        # The BEGIN itself runs here rather than in the event: SQLAlchemy calls `do_begin`
        # inside its error handling, so a refused BEGIN ("database is locked") arrives
        # wrapped like any other statement's error and leaves the connection ready for the
        # next attempt (raised from the event, it left SQLAlchemy's "in begin" flag set).
        # On the driver itself: through SQLAlchemy the statement cost more than the rest of
        # a chat message's transaction overhead.
        dbapi_connection.driver_connection.execute(dbapi_connection.info.pop(_BEGIN, "BEGIN"))

    engine.dialect.do_begin = _do_begin  # type: ignore[method-assign]
    return engine


def postgres_engine(
    url: str, *, command_timeout: float | None = COMMAND_TIMEOUT_S, **kwargs: Any
) -> AsyncEngine:
    """An asyncpg engine that gives up on a silent server in seconds (see the module
    docstring); `connect_args` given by the caller are added to these."""
    kwargs.setdefault("pool_pre_ping", True)
    kwargs["connect_args"] = {
        "timeout": CONNECT_TIMEOUT_S,
        "command_timeout": command_timeout,
        "server_settings": {"lock_timeout": str(LOCK_TIMEOUT_MS)},
        **kwargs.get("connect_args", {}),
    }
    return create_async_engine(_postgres_url(url), **kwargs)


@dataclass
class Database:
    """Runs synchronous use cases as transactions: inline on SQLite, through asyncpg on
    PostgreSQL (see the module docstring)."""

    url: str
    sync_engine: Engine | None = None
    async_engine: AsyncEngine | None = None
    _kept: Connection | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.sync_engine is None and self.async_engine is None:
            if is_sqlite(self.url):
                self.sync_engine = sqlite_engine(self.url)
            else:
                self.async_engine = postgres_engine(self.url)
        if self.sync_engine is not None:
            self._sessions: Any = sessionmaker(class_=Session, expire_on_commit=False)
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
            # Inline: the transaction runs to its end before the loop does anything else, so
            # the process's SQLite transactions never overlap (see the module docstring).
            return self._run_sync(work, write)
        async with self._sessions() as session, session.begin():
            await session.connection(execution_options={WRITE_OPTION: write})
            return await session.run_sync(work)  # type: ignore[no-any-return]

    def _sqlite_connection(self) -> Connection:
        """One connection, kept: transactions never overlap (they run inline), so a pool
        checkout per transaction would only cost time. Reopened if it was lost."""
        assert self.sync_engine is not None
        if self._kept is None or self._kept.closed or self._kept.invalidated:
            self._kept = self.sync_engine.connect()
        return self._kept

    def _run_sync(self, work: Callable[[Session], T], write: bool) -> T:
        with self._sessions(bind=self._sqlite_connection()) as session, session.begin():
            session.connection(execution_options={WRITE_OPTION: write})
            return work(session)

    async def run_connection(self, work: Callable[[Any], T], *, write: bool = False) -> T:
        """Run `work(connection)` on a plain connection in a transaction (migrations)."""
        if self.sync_engine is not None:
            kept = self._sqlite_connection().execution_options(**{WRITE_OPTION: write})
            with kept.begin():
                return work(kept)
        assert self.async_engine is not None
        async with self.async_engine.begin() as connection:
            return await connection.run_sync(work)

    async def close(self) -> None:
        if self.sync_engine is not None:
            if self._kept is not None:
                self._kept.close()
            self.sync_engine.dispose()
        if self.async_engine is not None:
            await self.async_engine.dispose()
