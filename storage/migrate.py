"""Alembic driven from code: `dvht db upgrade` and the embedded database's start-up upgrade."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alembic import command
from alembic.config import Config

from storage.db import Database

if TYPE_CHECKING:
    from alembic.script import ScriptDirectory

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(connection: Any = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _upgrade(connection: Any, revision: str) -> None:
    command.upgrade(alembic_config(connection), revision)


async def upgrade(database: Database, revision: str = "head") -> None:
    """Apply migrations up to `revision`, in one transaction (on SQLite holding the write lock
    from its start, so that another writer makes it wait, not fail half-way)."""
    await database.run_connection(lambda connection: _upgrade(connection, revision), write=True)


def _current(connection: Any) -> str | None:
    """The stamped revision, read from Alembic's table directly: `MigrationContext` logs two
    INFO lines each time, which `dvht serve` printed at every start (and before any start-up
    error line)."""
    from sqlalchemy import inspect, text

    if not inspect(connection).has_table("alembic_version"):
        return None
    rows = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    if len(rows) > 1:  # one line of history: never more than one head
        raise RuntimeError(f"alembic_version holds {len(rows)} revisions")
    return str(rows[0]) if rows else None


async def current_revision(database: Database) -> str | None:
    return await database.run_connection(_current)


def head_revision() -> str | None:
    return _scripts().get_current_head()


def known_revisions() -> frozenset[str]:
    """Every revision this release's migrations know: a database at any other was migrated by
    a newer release."""
    return frozenset(script.revision for script in _scripts().walk_revisions())


@cache
def _scripts() -> ScriptDirectory:
    """The migration scripts, read once per process (they do not change while it runs)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config())
