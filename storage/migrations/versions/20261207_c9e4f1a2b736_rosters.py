"""rosters: member rosters read from a spreadsheet, staged then confirmed

Revision ID: c9e4f1a2b736
Revises: b7d40c6e9a15
Create Date: 2026-12-07 07:00:00.000000

Issue 16, item 2. A roster is kept as read (names, positions, the indicators each member is
marked for, the learners' classes, the problems found) so the official confirms the counts they
were shown, and the gaps can name the people still missing. A new table: no referenced table
is rebuilt, so a database with answers upgrades in place on SQLite.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401 - autogenerate writes sqlmodel.sql.sqltypes.AutoString (§5.4)
from alembic import op

revision: str = "c9e4f1a2b736"
down_revision: str | None = "b7d40c6e9a15"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rosters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("staged_by", sa.Integer(), nullable=True),
        sa.Column("staged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_by", sa.Integer(), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("superseded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("storage_key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("original_name", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("mime_type", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("indicator_ids", sa.JSON(), nullable=False),
        sa.Column("members", sa.JSON(), nullable=False),
        sa.Column("classes", sa.JSON(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("problem_count", sa.Integer(), nullable=False),
        sa.Column("evidence_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessments.id"],
            name=op.f("fk_rosters_assessment_id_assessments"),
        ),
        sa.ForeignKeyConstraint(
            ["confirmed_by"], ["people.id"], name=op.f("fk_rosters_confirmed_by_people")
        ),
        sa.ForeignKeyConstraint(
            ["evidence_id"], ["evidence.id"], name=op.f("fk_rosters_evidence_id_evidence")
        ),
        sa.ForeignKeyConstraint(
            ["staged_by"], ["people.id"], name=op.f("fk_rosters_staged_by_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rosters")),
    )
    with op.batch_alter_table("rosters", schema=None) as batch_op:
        batch_op.create_index("ix_rosters_assessment", ["assessment_id", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("rosters", schema=None) as batch_op:
        batch_op.drop_index("ix_rosters_assessment")
    op.drop_table("rosters")
