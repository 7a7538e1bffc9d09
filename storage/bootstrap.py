"""Open the database the way the app needs it: migrated, or an error that says what is wrong.

Everything an operator can get wrong is found here, before the first message, and raised as
an error the entry point turns into one line: a data directory that is a file, cannot be
created or is read-only (`DataDirUnusable`); an SQLite file that is not one, or is truncated
(`DatabaseFault` CORRUPT); a server that refuses the role or has no such database, does not
answer, or is full (`storage.faults`); a schema behind the code (`SchemaOutdated`, on a
server) or ahead of it (`SchemaNewer`: a newer release migrated it, and this one must not
touch it).
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from storage.db import Database
from storage.faults import DatabaseFault, Fault, classify, storage_error
from storage.migrate import current_revision, head_revision, known_revisions, upgrade
from storage.uow import UNAVAILABLE, with_retry

SQLITE_MAGIC = b"SQLite format 3\x00"


class SchemaOutdated(Exception):
    """A server database (PostgreSQL) that `dvht db upgrade` has not brought to the head."""


class SchemaNewer(Exception):
    """A database at a revision this code does not know: a newer release migrated it."""

    def __init__(self, revision: str) -> None:
        super().__init__(f"database revision {revision} is newer than this release")
        self.revision = revision


class DataDirUnusable(Exception):
    """The directory of the SQLite file cannot hold it. `reason`: `not_a_directory` (it, or
    a parent, is a file), `cannot_create` (its parent is read-only or not ours), `read_only`
    (the directory), `file_read_only` (the database file itself)."""

    def __init__(self, reason: str, path: Path) -> None:
        super().__init__(f"{reason}: {path}")
        self.reason = reason
        self.path = path


class DatabaseUrlInvalid(Exception):
    """A database URL SQLAlchemy cannot parse, or for a database other than SQLite and
    PostgreSQL (bot.settings checks DATABASE_URL first; this catches a URL from elsewhere)."""


async def open_database(url: str) -> Database:
    """Connect; the embedded SQLite file is migrated on the spot, a server must be at head.

    Migrating PostgreSQL is an operator's deliberate step (`dvht db upgrade`), never a side
    effect of a bot process starting.
    """
    sqlite = _backend(url) == "sqlite"
    if sqlite:
        _check_sqlite_file(url)
    database = _database(url)
    try:
        revision = await with_retry(database, lambda: current_revision(database))
        _known(revision)
        if revision != head_revision():
            if not sqlite:
                raise SchemaOutdated("database schema is not at the latest migration")
            await with_retry(database, lambda: upgrade(database))
    except BaseException as exc:
        await database.close()
        explained = _explained(exc, url)
        if explained is exc:
            raise
        raise explained from exc
    return database


async def upgrade_database(url: str) -> tuple[str | None, str | None]:
    """Apply every pending migration; return the revisions before and after."""
    if _backend(url) == "sqlite":
        _check_sqlite_file(url)
    database = _database(url)
    try:
        before = await with_retry(database, lambda: current_revision(database))
        _known(before)
        await with_retry(database, lambda: upgrade(database))
        return before, await current_revision(database)
    except BaseException as exc:
        explained = _explained(exc, url)
        if explained is exc:
            raise
        raise explained from exc
    finally:
        await database.close()


def _backend(url: str) -> str:
    try:
        backend = make_url(url).get_backend_name()
    except (ArgumentError, ValueError) as exc:
        raise DatabaseUrlInvalid(str(exc)) from None
    if backend not in ("sqlite", "postgresql"):
        raise DatabaseUrlInvalid(f"unsupported database {backend}")
    return backend


def _database(url: str) -> Database:
    try:
        return Database(url)
    except (ArgumentError, ValueError) as exc:  # a port that is not a number, an unknown driver
        raise DatabaseUrlInvalid(str(exc)) from None


def _known(revision: str | None) -> None:
    if revision is not None and revision not in known_revisions():
        raise SchemaNewer(revision)


def _explained(exc: BaseException, url: str) -> BaseException:
    """The start-up failure as the error its entry point explains (or itself: a bug)."""
    if isinstance(exc, SchemaOutdated | SchemaNewer | DataDirUnusable | DatabaseUrlInvalid):
        return exc
    from conversations.errors import StorageUnavailable

    if isinstance(exc, StorageUnavailable):
        return exc
    fault = classify(exc) if isinstance(exc, Exception) else None
    if fault is None:
        return exc
    message = UNAVAILABLE if fault in (Fault.UNREACHABLE, Fault.TIMEOUT) else fault.value
    return storage_error(fault, message, url=url)


def _check_sqlite_file(url: str) -> None:
    """The SQLite file's directory is usable, and the file (if there is one) is SQLite and
    whole. Cheap (a stat and 100 bytes): it runs at every command's start."""
    name = make_url(url).database
    if not name or name == ":memory:" or name.startswith("file:"):
        return
    path = Path(name)
    _prepare_directory(path.parent)
    if not path.exists():
        return
    if path.is_dir():
        raise DataDirUnusable("not_a_directory", path)
    if not os.access(path, os.R_OK | os.W_OK):
        raise DataDirUnusable("file_read_only", path)
    if _damaged(path):
        raise DatabaseFault(Fault.CORRUPT, "not an SQLite database, or truncated", where=str(path))


def _prepare_directory(folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise DataDirUnusable("not_a_directory", folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):  # a parent on the way is a file
        raise DataDirUnusable("not_a_directory", folder) from None
    except OSError:  # read-only or not ours (EROFS, EACCES), or a full disk
        raise DataDirUnusable("cannot_create", folder) from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise DataDirUnusable("read_only", folder)


def _damaged(path: Path) -> bool:
    """Not an SQLite file, or shorter than its header says (a truncated copy).

    The header's page count (offset 28) is valid when the change counter (24) equals the
    version-valid-for number (92), as every SQLite since 3.7.0 writes it; the file is never
    shorter than that in a healthy database, except that pages may still live in the WAL,
    so a non-empty WAL file means the size is not judged here (SQLite itself then reports a
    damaged page as SQLITE_CORRUPT, which `storage.faults` classifies the same way). An empty
    file is a new database.
    """
    size = path.stat().st_size
    if size == 0:
        return False
    with path.open("rb") as file:
        header = file.read(100)
    if len(header) < 100 or not header.startswith(SQLITE_MAGIC):
        return True
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    if header[24:28] != header[92:96] or pages == 0:
        return False
    wal = path.with_name(path.name + "-wal")
    if wal.exists() and wal.stat().st_size > 0:
        return False
    return size < pages * page_size
