"""Open the database the way the app needs it: migrated, or a clear error."""

from __future__ import annotations

from conversations.errors import StorageUnavailable
from storage.db import Database, is_sqlite
from storage.migrate import current_revision, head_revision, upgrade
from storage.uow import UNAVAILABLE, unreachable


class SchemaOutdated(Exception):
    """A server database (PostgreSQL) that `dvht db upgrade` has not brought to the head."""


async def open_database(url: str) -> Database:
    """Connect; the embedded SQLite file is migrated on the spot, a server must be at head.

    Migrating PostgreSQL is an operator's deliberate step (`dvht db upgrade`), never a side
    effect of a bot process starting.
    """
    database = Database(url)
    try:
        if is_sqlite(url):
            await upgrade(database)
        elif await current_revision(database) != head_revision():
            raise SchemaOutdated("database schema is not at the latest migration")
    except Exception as exc:
        await database.close()
        if unreachable(exc):
            raise StorageUnavailable(UNAVAILABLE) from exc
        raise
    return database


async def upgrade_database(url: str) -> tuple[str | None, str | None]:
    """Apply every pending migration; return the revisions before and after."""
    database = Database(url)
    try:
        before = await current_revision(database)
        await upgrade(database)
        return before, await current_revision(database)
    except Exception as exc:
        if unreachable(exc):
            raise StorageUnavailable(UNAVAILABLE) from exc
        raise
    finally:
        await database.close()
