"""What a database failure means, however the driver raised it.

One classification for SQLite and PostgreSQL, for the unit of work (retry or give up) and for
the start-up (which line the operator reads). The same failure reaches us in several shapes:
raw from the `sqlite3` driver (the chat's statements and the `BEGIN` run on the driver
itself, see `storage.runner` and `storage.db`), wrapped by SQLAlchemy (`DBAPIError.orig`),
or, from asyncpg, wrapped twice (SQLAlchemy's adapter error, whose cause is asyncpg's own
exception). So the chain is walked and every link is asked: SQLite's result code (Python
3.11 exposes `sqlite_errorcode`; a wrapped error may only keep the message, which SQLite
words the same on every version since 3.7), PostgreSQL's SQLSTATE, or the operating
system's errno.
"""

from __future__ import annotations

import errno
import sqlite3
from collections.abc import Iterator
from enum import Enum

from conversations.errors import StorageBusy, StorageFull, StorageUnavailable


class Fault(Enum):
    BUSY = "busy"
    """Another writer holds the lock (SQLite) or a lock wait/serialization conflict
    (PostgreSQL): waiting and running the transaction again will succeed."""
    FULL = "full"
    """No space left for the database (SQLITE_FULL, PostgreSQL 53100, ENOSPC)."""
    UNREACHABLE = "unreachable"
    """The server refused or dropped the connection, or its host is unknown."""
    TIMEOUT = "timeout"
    """The server did not answer within the connect or statement timeout (`storage.db`)."""
    READ_ONLY = "read_only"
    """The database file, its directory or the server is read-only."""
    CANNOT_OPEN = "cannot_open"
    """SQLite could not open (or create) the file: a missing or unwritable directory."""
    IO = "io"
    """SQLite could not read or write its files (SQLITE_IOERR): on a full disk this is what
    opening the database says (its shared-memory file cannot grow), so `storage_error` looks
    at the free space before calling it an I/O error."""
    CORRUPT = "corrupt"
    """Not an SQLite database, or a damaged one (truncated, overwritten)."""
    AUTH = "auth"
    """PostgreSQL refused the role or its password."""
    NO_DATABASE = "no_database"
    """PostgreSQL has no database of that name."""


# SQLite primary result codes (the low byte of an extended code: SQLITE_BUSY_SNAPSHOT is a
# BUSY). SQLITE_LOCKED is a conflict inside one shared-cache connection set: the same wait.
_SQLITE_CODES = {
    sqlite3.SQLITE_BUSY: Fault.BUSY,
    sqlite3.SQLITE_LOCKED: Fault.BUSY,
    sqlite3.SQLITE_FULL: Fault.FULL,
    sqlite3.SQLITE_READONLY: Fault.READ_ONLY,
    sqlite3.SQLITE_CANTOPEN: Fault.CANNOT_OPEN,
    sqlite3.SQLITE_IOERR: Fault.IO,
    sqlite3.SQLITE_CORRUPT: Fault.CORRUPT,
    sqlite3.SQLITE_NOTADB: Fault.CORRUPT,
}
_SQLITE_MESSAGES = (
    ("database is locked", Fault.BUSY),
    ("database is busy", Fault.BUSY),
    ("database table is locked", Fault.BUSY),
    ("database schema is locked", Fault.BUSY),
    ("database or disk is full", Fault.FULL),
    ("readonly database", Fault.READ_ONLY),
    ("unable to open database file", Fault.CANNOT_OPEN),
    ("disk i/o error", Fault.IO),
    ("file is not a database", Fault.CORRUPT),
    ("file is encrypted or is not a database", Fault.CORRUPT),
    ("database disk image is malformed", Fault.CORRUPT),
)
# PostgreSQL SQLSTATEs (Appendix A of its manual), exact codes first, then classes.
_SQLSTATES = {
    "55P03": Fault.BUSY,  # lock_not_available: lock_timeout or NOWAIT
    "40001": Fault.BUSY,  # serialization_failure
    "40P01": Fault.BUSY,  # deadlock_detected: one side is rolled back, a rerun succeeds
    "53300": Fault.BUSY,  # too_many_connections: the server is busy, not gone
    "53100": Fault.FULL,  # disk_full
    "25006": Fault.READ_ONLY,  # read_only_sql_transaction: a standby, or read-only mode
    "28000": Fault.AUTH,  # invalid_authorization_specification: no such role
    "28P01": Fault.AUTH,  # invalid_password
    "3D000": Fault.NO_DATABASE,  # invalid_catalog_name
    "57P01": Fault.UNREACHABLE,  # admin_shutdown
    "57P02": Fault.UNREACHABLE,  # crash_shutdown
    "57P03": Fault.UNREACHABLE,  # cannot_connect_now: starting up or shutting down
}
_SQLSTATE_CLASSES = {"08": Fault.UNREACHABLE}  # connection_exception
_ERRNOS = {
    errno.ENOSPC: Fault.FULL,
    errno.EDQUOT: Fault.FULL,
    errno.EROFS: Fault.READ_ONLY,
}


def classify(exc: BaseException) -> Fault | None:
    """The fault behind `exc`, or None when it is not the database's state (a bug, a
    constraint violation, a refused input): those are not retried and not explained."""
    for link in _chain(exc):
        fault = _one(link)
        if fault is not None:
            return fault
    return _fallback(exc)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """`exc`, then what it wraps: SQLAlchemy's `.orig` and explicit causes (`raise … from`,
    as SQLAlchemy and its asyncpg adapter wrap). Not `__context__`: an error raised while
    handling another (a bug in an `except` block) is not that other error."""
    seen: set[int] = set()
    pending: list[BaseException] = [exc]
    while pending:
        link = pending.pop(0)
        if id(link) in seen:
            continue
        seen.add(id(link))
        yield link
        orig = getattr(link, "orig", None)
        pending += [e for e in (orig, link.__cause__) if e is not None]


def _one(link: BaseException) -> Fault | None:
    if isinstance(link, sqlite3.Error):
        code = getattr(link, "sqlite_errorcode", None)
        if isinstance(code, int) and code & 0xFF in _SQLITE_CODES:
            return _SQLITE_CODES[code & 0xFF]
        return _by_message(str(link))
    sqlstate = getattr(link, "sqlstate", None)
    if isinstance(sqlstate, str) and len(sqlstate) == 5:
        return _SQLSTATES.get(sqlstate) or _SQLSTATE_CLASSES.get(sqlstate[:2])
    if isinstance(link, OSError) and link.errno in _ERRNOS:
        return _ERRNOS[link.errno]
    if isinstance(link, TimeoutError):
        return Fault.TIMEOUT
    if isinstance(link, ConnectionError):
        return Fault.UNREACHABLE
    if isinstance(link, OSError) and link.errno is not None and not _is_file_error(link):
        return Fault.UNREACHABLE  # a socket error: no route, host not found, reset
    return None


def _by_message(message: str) -> Fault | None:
    lowered = message.lower()
    return next((fault for text, fault in _SQLITE_MESSAGES if text in lowered), None)


def _is_file_error(exc: OSError) -> bool:
    """A file-system error (a missing file, a permission): the operator's, not the network's."""
    return exc.errno in (errno.ENOENT, errno.EACCES, errno.EPERM, errno.EISDIR, errno.ENOTDIR)


def _fallback(exc: BaseException) -> Fault | None:
    """What SQLAlchemy alone says: a dropped connection, or a driver-level error on a server
    (asyncpg's "connection is closed"). SQLite's own OperationalErrors were all read above, so
    one that is left ("no such table") is a bug, not a fault."""
    from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return Fault.UNREACHABLE
    if isinstance(exc, OperationalError | InterfaceError) and not isinstance(
        exc.orig, sqlite3.Error
    ):
        return Fault.UNREACHABLE
    return None


class DatabaseFault(StorageUnavailable):
    """A database the operator must fix (read-only, damaged, a refused role, a missing
    database, a server that stays down): the chat says it is unavailable, the command line
    names the fault. `where` is the SQLite file or the server's host:port (never a
    password), `name` the role or the database, `sqlite` which of the two it is."""

    def __init__(
        self, fault: Fault, message: str, *, where: str = "", name: str = "", sqlite: bool = True
    ) -> None:
        super().__init__(message)
        self.fault = fault
        self.where = where
        self.name = name
        self.sqlite = sqlite


def storage_error(fault: Fault, message: str, *, url: str) -> StorageUnavailable:
    """The port error for a fault that was not waited out: busy and full are told apart in
    the chat, a connection that stays down is unavailable, the rest are the operator's, with
    where they are (the file, or the server and the role or database; never the password)."""
    if fault is Fault.IO and _disk_full(url):
        fault = Fault.FULL
    if fault is Fault.BUSY:
        return StorageBusy(message)
    if fault is Fault.FULL:
        return StorageFull(message)
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    sqlite = parsed.get_backend_name() == "sqlite"
    where = (
        (parsed.database or "")
        if sqlite
        else f"{parsed.host or 'localhost'}:{parsed.port or 5432}"
    )
    name = {Fault.AUTH: parsed.username, Fault.NO_DATABASE: parsed.database}.get(fault) or ""
    return DatabaseFault(fault, message, where=where, name=name, sqlite=sqlite)


FULL_BELOW_BYTES = 1024 * 1024
"""Free space under which an SQLite I/O error is a full disk: opening needs a 32 KB
shared-memory file, a write one 4 KB page. Measured on a full 2 MB tmpfs: the first
connection fails with SQLITE_IOERR_SHMSIZE ("disk I/O error"), a write on an open one with
SQLITE_FULL."""


def _disk_full(url: str) -> bool:
    import shutil
    from pathlib import Path

    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return False
    try:
        return shutil.disk_usage(Path(parsed.database).parent).free < FULL_BELOW_BYTES
    except OSError:
        return False
