"""The database's guard on an assessment's year, totals and level-1 decision date (migration
c5d1e8a24b63): bad rows written before it are repaired and audited, new ones are refused by
the database itself, and the upgrade keeps every answer and reference (SQLite rebuilds the
table), on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from pydantic import ValidationError
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.pool import NullPool

from storage.db import Database, postgres_engine
from storage.migrate import alembic_config, current_revision, head_revision, upgrade
from storage.schemas import AssessmentTotals
from tests.db_fixtures import BACKENDS, PG_URL

BEFORE = "f67b26bc541c"
REVISION = "c5d1e8a24b63"


@pytest.fixture(scope="module")
def pg_server_url() -> Iterator[str]:
    """An empty PostgreSQL database of its own: these tests migrate from an older revision."""
    name = f"dvht_bounds_{uuid.uuid4().hex[:12]}"
    admin = postgres_engine(PG_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)

    async def execute(statement: str) -> None:
        async with admin.connect() as connection:
            await connection.execute(text(statement))

    asyncio.run(execute(f'CREATE DATABASE "{name}"'))
    yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    asyncio.run(execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    asyncio.run(admin.dispose())


@pytest.fixture(params=BACKENDS)
def old_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'old.sqlite3'}"
    url: str = request.getfixturevalue("pg_server_url")
    return url


@pytest.fixture
async def old_database(old_url: str) -> AsyncIterator[Database]:
    """A database at the revision before the bounds, empty."""
    url = old_url
    database = Database(url)
    if database.dialect == "postgresql":

        def empty(connection: Any) -> None:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))

        await database.run_connection(empty)
    await upgrade(database, BEFORE)
    yield database
    await database.close()


_ASSESSMENT = text(
    "INSERT INTO assessments (unit_id, year, ruleset_id, ruleset_version, status, members, "
    "learners, level1_decision_date, created_at, updated_at) VALUES (:unit, :year, "
    "'tt24-huyen', '2025.1', 'draft', :members, :learners, :decision, :at, :at) RETURNING id"
)


def _seed(connection: Any) -> dict[str, int]:
    at = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
    if connection.dialect.name == "sqlite":
        at = at.replace(tzinfo=None)
    unit = connection.execute(
        text(
            "INSERT INTO units (name, tier, unit_type, province, active, created_at) "
            "VALUES ('UBND xã Quảng Phú', 'huyen', 'ubnd_xa', 'Huế', TRUE, :at) RETURNING id"
        ),
        {"at": at},
    ).scalar_one()
    rows = {
        "far_future": (2025, 30, None, dt.date(9999, 12, 31)),
        "huge_members": (2026, 5_000_000, 2_000_000, dt.date(2025, 2, 10)),
        "too_late": (99_999, 30, None, None),
        "taken": (2100, 30, None, None),
        "fine": (2024, 30, 1200, dt.date(2020, 1, 1)),
    }
    ids = {}
    for name, (year, members, learners, decision) in rows.items():
        ids[name] = connection.execute(
            _ASSESSMENT,
            {
                "unit": unit,
                "year": year,
                "members": members,
                "learners": learners,
                "decision": decision,
                "at": at,
            },
        ).scalar_one()
    connection.execute(
        text(
            "INSERT INTO answer_revisions (assessment_id, indicator_id, value, answered_at) "
            "VALUES (:assessment, '1.1', '{\"met\": true}', :at)"
        ),
        {"assessment": ids["far_future"], "at": at},
    )
    connection.execute(
        text(
            "INSERT INTO evidence (assessment_id, kind, title, uploaded_at) "
            "VALUES (:assessment, 'reference', 'Kế hoạch số 12/KH-UBND', :at)"
        ),
        {"assessment": ids["far_future"], "at": at},
    )
    return ids


def _state(connection: Any) -> dict[str, Any]:
    rows = connection.execute(
        text(
            "SELECT id, year, members, learners, level1_decision_date FROM assessments ORDER BY id"
        )
    ).all()
    audit = connection.execute(
        text("SELECT action, actor_label, details FROM audit_log ORDER BY id")
    ).all()
    answers = connection.execute(text("SELECT assessment_id FROM answer_revisions")).scalars()
    evidence = connection.execute(text("SELECT assessment_id FROM evidence")).scalars()
    return {
        "rows": {
            row.id: (row.year, row.members, row.learners, _iso(row.level1_decision_date))
            for row in rows
        },
        "audit": [
            (
                a.action,
                a.actor_label,
                a.details if isinstance(a.details, dict) else json.loads(a.details),
            )
            for a in audit
        ],
        "answers": list(answers),
        "evidence": list(evidence),
    }


def _iso(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, dt.date) else value


async def test_upgrade_repairs_bad_rows_and_audits_each_change(old_database: Database) -> None:
    ids = await old_database.run_connection(_seed)
    await upgrade(old_database)
    assert await current_revision(old_database) == head_revision()
    state = await old_database.run_connection(_state)
    assert state["rows"] == {
        ids["far_future"]: (2025, 30, None, None),
        ids["huge_members"]: (2026, None, None, "2025-02-10"),
        ids["too_late"]: (2099, 30, None, None),  # 2100 is the unit's already
        ids["taken"]: (2100, 30, None, None),
        ids["fine"]: (2024, 30, 1200, "2020-01-01"),
    }
    details = {entry[2]["assessment_id"]: entry[2] for entry in state["audit"]}
    assert {entry[:2] for entry in state["audit"]} == {
        ("migration.input_bounds", "migration c5d1e8a24b63")
    }
    assert details == {
        ids["far_future"]: {
            "assessment_id": ids["far_future"],
            "old": {"level1_decision_date": "9999-12-31"},
            "new": {"level1_decision_date": None},
        },
        ids["huge_members"]: {
            "assessment_id": ids["huge_members"],
            "old": {"members": 5_000_000, "learners": 2_000_000},
            "new": {"members": None, "learners": None},
        },
        ids["too_late"]: {
            "assessment_id": ids["too_late"],
            "old": {"year": 99_999},
            "new": {"year": 2099},
        },
    }
    # The rebuilt table (SQLite) still holds what refers to it.
    assert state["answers"] == [ids["far_future"]]
    assert state["evidence"] == [ids["far_future"]]


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("year", 99_999),
        ("year", 1999),
        ("members", 1_000_001),
        ("members", -1),
        ("learners", 1_000_001),
        ("level1_decision_date", dt.date(9999, 12, 31)),
        ("level1_decision_date", dt.date(2019, 12, 31)),
    ],
)
async def test_the_database_refuses_values_out_of_bounds(
    old_database: Database, column: str, value: Any
) -> None:
    await upgrade(old_database)
    assessment = await old_database.run_connection(_seed_one)

    def write(connection: Any) -> None:
        connection.execute(
            text(f"UPDATE assessments SET {column} = :value WHERE id = :id"),
            {"value": value, "id": assessment},
        )

    with pytest.raises(IntegrityError, match=r"ck_assessments_|CHECK constraint failed"):
        await old_database.run_connection(write)


def _seed_one(connection: Any) -> int:
    at = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
    if connection.dialect.name == "sqlite":
        at = at.replace(tzinfo=None)
    unit = connection.execute(
        text(
            "INSERT INTO units (name, tier, unit_type, province, active, created_at) "
            "VALUES ('UBND xã Quảng Phú', 'huyen', 'ubnd_xa', 'Huế', TRUE, :at) RETURNING id"
        ),
        {"at": at},
    ).scalar_one()
    assessment: int = connection.execute(
        _ASSESSMENT,
        {
            "unit": unit,
            "year": 2025,
            "members": 30,
            "learners": None,
            "decision": dt.date(2025, 2, 10),
            "at": at,
        },
    ).scalar_one()
    return assessment


async def test_downgrade_drops_the_bounds_and_upgrade_adds_them_again(
    old_database: Database,
) -> None:
    ids = await old_database.run_connection(_seed)
    await upgrade(old_database)
    await old_database.run_connection(lambda c: command.downgrade(alembic_config(c), BEFORE))
    assert await current_revision(old_database) == BEFORE

    def unbounded(connection: Any) -> None:
        connection.execute(
            text("UPDATE assessments SET members = 5000000 WHERE id = :id"),
            {"id": ids["fine"]},
        )

    await old_database.run_connection(unbounded)  # accepted again without the CHECK
    await upgrade(old_database)
    state = await old_database.run_connection(_state)
    assert state["rows"][ids["fine"]] == (2024, None, 1200, "2020-01-01")
    assert state["answers"] == [ids["far_future"]]


@pytest.mark.parametrize(
    "fields",
    [
        {"members": 1_000_001},
        {"learners": -1},
        {"level1_decision_date": dt.date(9999, 12, 31)},
        {"level1_decision_date": dt.date(2019, 12, 31)},
    ],
)
def test_storage_input_models_share_the_bounds(fields: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        AssessmentTotals(**fields)


def test_storage_input_models_accept_the_edges() -> None:
    totals = AssessmentTotals(
        members=1_000_000, learners=0, level1_decision_date=dt.date(2020, 1, 1)
    )
    assert totals.members == 1_000_000
