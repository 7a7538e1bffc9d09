"""`storage.faults.classify`: one answer however the driver raised the failure (raw from the
`sqlite3` driver, wrapped by SQLAlchemy, by message only, with an extended result code, as a
PostgreSQL SQLSTATE or an operating-system error), and no answer for what is not the
database's state. The SQLite failures are produced for real on real files."""

from __future__ import annotations

import errno
import socket
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from dvht_core.errors import InputError
from storage.faults import Fault, classify


def _raised(action: Callable[[], object]) -> BaseException:
    try:
        action()
    except BaseException as exc:
        return exc
    raise AssertionError("nothing was raised")


def _locked(path: Path, *, wrapped: bool) -> BaseException:
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        if wrapped:
            engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 0})
            with engine.connect() as connection:
                return _raised(lambda: connection.exec_driver_sql("BEGIN IMMEDIATE"))
        other = sqlite3.connect(path, isolation_level=None, timeout=0)
        return _raised(lambda: other.execute("BEGIN IMMEDIATE"))
    finally:
        holder.execute("ROLLBACK")


def _full(path: Path) -> BaseException:
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE t (x BLOB)")
    connection.commit()
    pages = connection.execute("PRAGMA page_count").fetchone()[0]
    connection.execute(f"PRAGMA max_page_count={pages}")
    return _raised(
        lambda: connection.executemany("INSERT INTO t VALUES (?)", [(bytes(3000),)] * 50)
    )


def _read_only(path: Path) -> BaseException:
    sqlite3.connect(path).execute("CREATE TABLE t (x)")
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    return _raised(lambda: connection.execute("INSERT INTO t VALUES (1)"))


def _not_a_database(path: Path) -> BaseException:
    path.write_bytes(b"PK\x03\x04 this is a zip file, not a database" * 200)
    return _raised(lambda: sqlite3.connect(path).execute("SELECT * FROM sqlite_master"))


def _cannot_open(path: Path) -> BaseException:
    return _raised(lambda: sqlite3.connect(path.parent / "missing" / "dvht.sqlite3"))


def _no_such_table(path: Path) -> BaseException:
    return _raised(lambda: sqlite3.connect(path).execute("SELECT * FROM units"))


def _integrity(path: Path) -> BaseException:
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER PRIMARY KEY)"))
        connection.execute(text("INSERT INTO t VALUES (1)"))
        return _raised(lambda: connection.execute(text("INSERT INTO t VALUES (1)")))


def _coded(message: str, code: int) -> sqlite3.Error:
    exc = sqlite3.OperationalError(message)
    exc.sqlite_errorcode = code  # type: ignore[attr-defined]
    return exc


class _PgError(Exception):
    """An error carrying a SQLSTATE, as asyncpg's and SQLAlchemy's adapter errors do."""

    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def _in_handler() -> BaseException:
    """A bug raised while handling a busy error: its context is busy, it is not."""
    try:
        raise sqlite3.OperationalError("database is locked")
    except sqlite3.Error:
        return _raised(lambda: {}["missing"])


REAL: list[tuple[str, Callable[[Path], BaseException], Fault | None]] = [
    ("locked, raw", lambda p: _locked(p, wrapped=False), Fault.BUSY),
    ("locked, wrapped by SQLAlchemy", lambda p: _locked(p, wrapped=True), Fault.BUSY),
    ("database or disk is full", _full, Fault.FULL),
    ("read-only database", _read_only, Fault.READ_ONLY),
    ("not a database", _not_a_database, Fault.CORRUPT),
    ("unable to open", _cannot_open, Fault.CANNOT_OPEN),
    ("no such table: a bug", _no_such_table, None),
    ("constraint violation", _integrity, None),
]
MADE: list[tuple[str, BaseException, Fault | None]] = [
    ("message only: locked", sqlite3.OperationalError("database is locked"), Fault.BUSY),
    ("message only: busy", sqlite3.OperationalError("database is busy"), Fault.BUSY),
    ("message only: full", sqlite3.OperationalError("database or disk is full"), Fault.FULL),
    ("SQLITE_BUSY_SNAPSHOT", _coded("database is locked", 517), Fault.BUSY),
    ("SQLITE_BUSY_RECOVERY", _coded("database is locked", 261), Fault.BUSY),
    ("SQLITE_IOERR_SHMSIZE", _coded("disk I/O error", 4874), Fault.IO),
    ("SQLITE_CORRUPT", _coded("database disk image is malformed", 11), Fault.CORRUPT),
    ("lock_timeout", _PgError("55P03"), Fault.BUSY),
    ("serialization failure", _PgError("40001"), Fault.BUSY),
    ("deadlock", _PgError("40P01"), Fault.BUSY),
    ("disk full", _PgError("53100"), Fault.FULL),
    ("read-only transaction", _PgError("25006"), Fault.READ_ONLY),
    ("no such role", _PgError("28000"), Fault.AUTH),
    ("wrong password", _PgError("28P01"), Fault.AUTH),
    ("no such database", _PgError("3D000"), Fault.NO_DATABASE),
    ("connection failure", _PgError("08006"), Fault.UNREACHABLE),
    ("server shutting down", _PgError("57P01"), Fault.UNREACHABLE),
    ("unique violation", _PgError("23505"), None),
    ("refused", ConnectionRefusedError(errno.ECONNREFUSED, "refused"), Fault.UNREACHABLE),
    (
        "host unknown",
        socket.gaierror(socket.EAI_NONAME, "Name or service not known"),
        Fault.UNREACHABLE,
    ),
    ("timed out", TimeoutError(), Fault.TIMEOUT),
    ("no space", OSError(errno.ENOSPC, "No space left on device"), Fault.FULL),
    ("a missing file", FileNotFoundError(errno.ENOENT, "missing"), None),
    ("a refused input", InputError("members", "không hợp lệ"), None),
    ("a bug while handling busy", _in_handler(), None),
]


@pytest.mark.parametrize(("name", "make", "fault"), REAL, ids=[r[0] for r in REAL])
def test_real_sqlite_failures(
    name: str, make: Callable[[Path], BaseException], fault: Fault | None, tmp_path: Path
) -> None:
    exc = make(tmp_path / "dvht.sqlite3")
    assert classify(exc) is fault, (name, repr(exc))
    if name == "constraint violation":
        assert isinstance(exc, IntegrityError)


@pytest.mark.parametrize(("name", "exc", "fault"), MADE, ids=[m[0] for m in MADE])
def test_failures_in_every_shape(name: str, exc: BaseException, fault: Fault | None) -> None:
    assert classify(exc) is fault, name
    wrapper = RuntimeError("adapter")  # wrapped as SQLAlchemy's asyncpg adapter does
    wrapper.__cause__ = exc
    assert classify(wrapper) is fault, name
