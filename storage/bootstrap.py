"""Open the database the way the app needs it: migrated, or a clear error."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from conversations.errors import StorageUnavailable
from storage.db import create_engine, is_sqlite, session_factory
from storage.migrate import current_revision, head_revision, upgrade
from storage.uow import unreachable


class SchemaOutdated(Exception):
    """A server database (PostgreSQL) that `dvht db upgrade` has not brought to the head."""


@dataclass(frozen=True)
class Database:
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]

    async def close(self) -> None:
        await self.engine.dispose()


async def open_database(url: str) -> Database:
    """Connect; the embedded SQLite file is migrated on the spot, a server must be at head.

    Migrating PostgreSQL is an operator's deliberate step (`dvht db upgrade`), never a side
    effect of a bot process starting.
    """
    engine = create_engine(url)
    try:
        if is_sqlite(url):
            await upgrade(engine)
        elif await current_revision(engine) != head_revision():
            raise SchemaOutdated("database schema is not at the latest migration")
    except Exception as exc:
        await engine.dispose()
        if unreachable(exc):
            raise StorageUnavailable("Không kết nối được cơ sở dữ liệu.") from exc
        raise
    return Database(engine, session_factory(engine))


async def upgrade_database(url: str) -> tuple[str | None, str | None]:
    """Apply every pending migration; return the revisions before and after."""
    engine = create_engine(url)
    try:
        before = await current_revision(engine)
        await upgrade(engine)
        return before, await current_revision(engine)
    except Exception as exc:
        if unreachable(exc):
            raise StorageUnavailable("Không kết nối được cơ sở dữ liệu.") from exc
        raise
    finally:
        await engine.dispose()
