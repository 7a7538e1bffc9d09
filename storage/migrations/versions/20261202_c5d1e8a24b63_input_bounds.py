"""input bounds: CHECK constraints on an assessment's year, totals and level-1 decision date

Revision ID: c5d1e8a24b63
Revises: f67b26bc541c
Create Date: 2026-12-02 02:00:00.000000

The database's own guard on the values that, when wrong, broke every later command of a unit
(issue 11: an imported `level1_decision_date: 9999-12-31` made every member's /ketqua, /baocao
and `dvht report --unit` fail). The bounds are written out here, not imported, so this
migration keeps meaning what it meant whatever later happens to the code: years 2000–2100,
members and learners 0–1,000,000, a decision date from 2020-01-01 to 2100-12-31 (whether it is
in the future is the file reader's check; a CHECK cannot depend on today).

Rows written before the reader bounded these fields may break the constraints, and adding a
constraint over them would fail (PostgreSQL validates existing rows; SQLite's rebuilt table
inserts them into the new table). They are repaired first, and every change is written to the
audit log with the old value, so nothing entered is lost and nothing blocks the start-up (the
embedded database migrates on every start):
- members, learners or a decision date out of range become NULL: the totals are asked again
  by the chat, and the decision date is optional (the upgrade check is then not applied);
- a year out of range cannot be NULL and the row holds answers, so it moves to the nearest year
  in range that the unit has no assessment for (2100, else 2099, …). Only `dvht import` could
  write such a year (the chat uses the current one), so the operator who imported it finds the
  old year in the audit log (action `migration.input_bounds`).
"""

import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
import sqlmodel  # noqa: F401 - autogenerate writes sqlmodel.sql.sqltypes.AutoString (§5.4)
from alembic import op


revision: str = "c5d1e8a24b63"
down_revision: str | None = "f67b26bc541c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_MEMBERS = 1_000_000
FIRST_DECISION, LAST_DECISION = "2020-01-01", "2100-12-31"
CHECKS = {
    "ck_assessments_year": f"year BETWEEN {MIN_YEAR} AND {MAX_YEAR}",
    "ck_assessments_members": f"members BETWEEN 0 AND {MAX_MEMBERS}",
    "ck_assessments_learners": f"learners BETWEEN 0 AND {MAX_MEMBERS}",
    "ck_assessments_level1_decision_date": (
        f"level1_decision_date BETWEEN '{FIRST_DECISION}' AND '{LAST_DECISION}'"
    ),
}
ACTOR = "migration c5d1e8a24b63"
COLUMNS = (
    "id",
    "unit_id",
    "year",
    "ruleset_id",
    "ruleset_version",
    "status",
    "members",
    "learners",
    "level1_decision_date",
    "recognition_decision_number",
    "recognition_decision_date",
    "created_at",
    "updated_at",
)

_audit = sa.table(
    "audit_log",
    sa.column("at", sa.DateTime(timezone=True)),
    sa.column("actor_person_id", sa.Integer()),
    sa.column("actor_label", sa.String()),
    sa.column("action", sa.String()),
    sa.column("unit_id", sa.Integer()),
    sa.column("details", sa.JSON()),
)


def upgrade() -> None:
    connection = op.get_bind()
    _repair(connection)
    if connection.dialect.name == "sqlite":
        _rebuild_sqlite(with_bounds=True)
    else:
        for name, condition in CHECKS.items():
            op.create_check_constraint(op.f(name), "assessments", condition)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_sqlite(with_bounds=False)
    else:
        for name in reversed(list(CHECKS)):
            op.drop_constraint(op.f(name), "assessments", type_="check")


def _rebuild_sqlite(*, with_bounds: bool) -> None:
    """SQLite cannot add a constraint to a table: the table is rebuilt, in the order that keeps
    the references of answers and evidence to it valid.

    Alembic's batch mode fills the new table under a temporary name, drops the old one and
    renames the copy. With foreign keys on (the app's connections turn them on), that DROP fails
    at once, as answers and evidence refer to the table; deferred, it still fails at commit:
    SQLite counts the references the DROP orphaned, and the renamed copy's rows, inserted
    before the table had its name, never count as their parents again. (`PRAGMA foreign_keys=OFF`
    would be ignored: the migration runs inside a transaction.) So the rows are kept aside, the
    table is dropped and created again under its own name, and the rows go back into it: each
    insert finds the answers that refer to it, and the count is zero at commit.
    """
    op.execute("PRAGMA defer_foreign_keys = ON")
    op.execute("CREATE TABLE _assessments_rows AS SELECT * FROM assessments")
    op.drop_table("assessments")
    checks = [sa.CheckConstraint(sql, name=op.f(name)) for name, sql in CHECKS.items()]
    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("ruleset_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("ruleset_version", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("members", sa.Integer(), nullable=True),
        sa.Column("learners", sa.Integer(), nullable=True),
        sa.Column("level1_decision_date", sa.Date(), nullable=True),
        sa.Column(
            "recognition_decision_number",
            sqlmodel.sql.sqltypes.AutoString(length=100),
            nullable=True,
        ),
        sa.Column("recognition_decision_date", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('draft', 'self_assessed', 'submitted', 'returned', 'recognised')",
            name=op.f("ck_assessments_status"),
        ),
        *(checks if with_bounds else []),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_assessments_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
        sa.UniqueConstraint("unit_id", "year", name=op.f("uq_assessments_unit_id_year")),
    )
    op.create_index("ix_assessments_status_unit", "assessments", ["status", "unit_id"])
    op.create_index(op.f("ix_assessments_unit_id"), "assessments", ["unit_id"])
    columns = ", ".join(COLUMNS)
    op.execute(f"INSERT INTO assessments ({columns}) SELECT {columns} FROM _assessments_rows")
    op.drop_table("_assessments_rows")


def _repair(connection: Any) -> None:
    """Bring every row inside the bounds (see the module's docstring), auditing each change."""
    violating = (
        connection.execute(
            sa.text(
                "SELECT id, unit_id, year, members, learners, level1_decision_date "
                "FROM assessments WHERE NOT ("
                + " AND ".join(f"COALESCE({condition}, TRUE)" for condition in CHECKS.values())
                + ") ORDER BY id"
            )
        )
        .mappings()
        .all()
    )
    now = dt.datetime.now(dt.UTC)
    if connection.dialect.name == "sqlite":  # the app stores naive UTC there (UTCDateTime)
        now = now.replace(tzinfo=None)
    for row in violating:
        changes: dict[str, Any] = {}
        if not MIN_YEAR <= row["year"] <= MAX_YEAR:
            changes["year"] = _free_year(connection, row["unit_id"], row["year"])
        for column in ("members", "learners"):
            value = row[column]
            if value is not None and not 0 <= value <= MAX_MEMBERS:
                changes[column] = None
        decision = row["level1_decision_date"]
        if decision is not None and not (FIRST_DECISION <= _iso(decision) <= LAST_DECISION):
            changes["level1_decision_date"] = None
        if not changes:
            continue
        assignments = ", ".join(f"{column} = :{column}" for column in changes)
        connection.execute(
            sa.text(f"UPDATE assessments SET {assignments} WHERE id = :id"),
            {**changes, "id": row["id"]},
        )
        connection.execute(
            _audit.insert().values(
                at=now,
                actor_person_id=None,
                actor_label=ACTOR,
                action="migration.input_bounds",
                unit_id=row["unit_id"],
                details={
                    "assessment_id": row["id"],
                    "old": {column: _plain(row[column]) for column in changes},
                    "new": changes,
                },
            )
        )


def _free_year(connection: Any, unit_id: int, year: int) -> int:
    """The year in range nearest to `year` that the unit has no assessment for."""
    taken = set(
        connection.execute(
            sa.text("SELECT year FROM assessments WHERE unit_id = :unit_id"),
            {"unit_id": unit_id},
        ).scalars()
    )
    nearest = MAX_YEAR if year > MAX_YEAR else MIN_YEAR
    step = -1 if nearest == MAX_YEAR else 1
    for candidate in range(nearest, nearest + step * (MAX_YEAR - MIN_YEAR + 1), step):
        if candidate not in taken:
            return candidate
    raise RuntimeError(  # a unit with an assessment for each of 101 years: never seen
        f"unit #{unit_id} has no free assessment year between {MIN_YEAR} and {MAX_YEAR}"
    )


def _iso(value: Any) -> str:
    """A DATE as ISO text: SQLite returns the text it stores, PostgreSQL a date."""
    return value.isoformat() if isinstance(value, dt.date) else str(value)[:10]


def _plain(value: Any) -> Any:
    return _iso(value) if isinstance(value, dt.date) else value
