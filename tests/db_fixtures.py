"""Real databases for the storage tests: SQLite always, PostgreSQL when DVHT_TEST_DATABASE_URL
is set (CI sets it; an unreachable server fails the run instead of skipping)."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool
from sqlmodel import SQLModel

import storage.tables  # noqa: F401 - the metadata must know every table
from storage.db import Database, postgres_engine
from storage.migrate import upgrade

PG_URL = os.environ.get("DVHT_TEST_DATABASE_URL", "").strip()
BACKENDS = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]


async def _migrate(url: str) -> None:
    database = Database(url)
    try:
        await upgrade(database)
    finally:
        await database.close()


def wipe_sql() -> str:
    tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    return f"TRUNCATE {tables} RESTART IDENTITY CASCADE"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file; each test gets a copy (migrating once keeps the suite fast)."""
    path = tmp_path_factory.mktemp("db") / "template.sqlite3"
    asyncio.run(_migrate(f"sqlite:///{path}"))
    return path


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this run, migrated once and dropped at the end."""
    if not PG_URL:
        pytest.fail("PostgreSQL tests requested without DVHT_TEST_DATABASE_URL")
    name = f"dvht_test_{uuid.uuid4().hex[:12]}"
    # No pool: each asyncio.run() below has its own event loop, and a pooled connection must
    # not outlive the loop it was opened on.
    admin = postgres_engine(PG_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)

    async def create() -> None:
        try:
            async with admin.connect() as connection:
                await connection.execute(text(f'CREATE DATABASE "{name}"'))
        except Exception as exc:  # the run must fail, not skip, when the server is down
            pytest.fail(f"PostgreSQL at DVHT_TEST_DATABASE_URL is unreachable: {exc}")

    async def drop() -> None:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()

    asyncio.run(create())
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    asyncio.run(_migrate(url))
    yield url
    asyncio.run(drop())


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgresql":
        url: str = request.getfixturevalue("pg_database")
        return url
    template: Path = request.getfixturevalue("sqlite_template")
    path = tmp_path / "dvht.sqlite3"
    shutil.copy(template, path)
    return f"sqlite:///{path}"


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    """The test's database, empty (PostgreSQL is shared by the run and wiped per test)."""
    database = Database(database_url)
    if database.dialect == "postgresql":
        await database.run_connection(lambda connection: connection.execute(text(wipe_sql())))
    yield database
    await database.close()
