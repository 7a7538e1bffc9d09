"""Alembic owns the schema: migrations build it, and the models agree with them."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from storage.db import Database
from storage.migrate import current_revision, head_revision, upgrade


def _differences(connection: Any) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, SQLModel.metadata))


async def test_models_and_migrations_agree(database: Database) -> None:
    """Autogenerate against the migrated database finds nothing to add, drop or alter."""
    assert await database.run_connection(_differences) == []


async def test_database_is_at_the_head_revision(database: Database) -> None:
    assert await current_revision(database) == head_revision()


async def test_upgrade_builds_an_empty_database_and_is_idempotent(tmp_path: Any) -> None:
    database = Database(f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    try:
        assert await current_revision(database) is None
        await upgrade(database)
        await upgrade(database)  # a second start changes nothing
        tables = set(await database.run_connection(lambda c: inspect(c).get_table_names()))
        assert {t.name for t in SQLModel.metadata.sorted_tables} <= tables
        assert await current_revision(database) == head_revision()
    finally:
        await database.close()


def test_migrations_do_not_import_application_code() -> None:
    """Old migrations must keep working whatever later happens to the models."""
    from storage.migrate import MIGRATIONS_DIR

    for script in (MIGRATIONS_DIR / "versions").glob("*.py"):
        source = script.read_text(encoding="utf-8")
        assert "storage." not in source, script.name
        assert "import sqlmodel" in source, script.name
