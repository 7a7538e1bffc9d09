"""dashboard search: units.search_name, assessments.standing_failed, the board's partial indexes

Revision ID: b7d40c6e9a15
Revises: 8312d9082816
Create Date: 2026-12-07 04:00:00

Issue 15, part C. The dashboard searches unit names ignoring case and diacritics (“ha noi”
finds “Hà Nội”): `units.search_name` holds the folded name (kept by the ORM on every write;
existing rows are folded here, and rows written by hand later are filled by the board before a
search). `assessments.standing_failed` completes the cached standing with the indicators
answered yet below level 1, which the chart of the most failed indicators counts. Two partial
indexes find the few rows a board read must touch first: the units not yet folded, and the
assessments whose cached standing is stale (`standing_at IS NULL`). Existing standings are
marked stale, so the new column is filled by the dashboard's first read.
"""

import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401 - autogenerate writes sqlmodel.sql.sqltypes.AutoString (§5.4)
from alembic import op

revision: str = "b7d40c6e9a15"
down_revision: str | None = "8312d9082816"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fold(text: str) -> str:
    """The folding of the application's search_name module, copied: a migration imports no
    application code."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "d"))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.lower().split())


def upgrade() -> None:
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("search_name", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True)
        )
        batch_op.create_index(
            "ix_units_unfolded",
            ["id"],
            unique=False,
            sqlite_where=sa.text("search_name IS NULL"),
            postgresql_where=sa.text("search_name IS NULL"),
        )
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "standing_failed", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True
            )
        )
        batch_op.create_index(
            "ix_assessments_stale",
            ["year", "unit_id"],
            unique=False,
            sqlite_where=sa.text("standing_at IS NULL"),
            postgresql_where=sa.text("standing_at IS NULL"),
        )
    connection = op.get_bind()
    connection.execute(sa.text("UPDATE assessments SET standing_at = NULL"))
    rows = connection.execute(sa.text("SELECT id, name FROM units")).all()
    for unit_id, name in rows:
        connection.execute(
            sa.text("UPDATE units SET search_name = :folded WHERE id = :id"),
            {"folded": _fold(name), "id": unit_id},
        )


def downgrade() -> None:
    # Indexes, then the columns in place: a batch rebuild of `assessments` or `units` (which
    # answers, evidence and memberships refer to) is refused by SQLite's foreign keys.
    op.drop_index("ix_assessments_stale", table_name="assessments")
    op.drop_index("ix_units_unfolded", table_name="units")
    for table, name in (("assessments", "standing_failed"), ("units", "search_name")):
        if op.get_bind().dialect.name == "sqlite":
            op.execute(f"ALTER TABLE {table} DROP COLUMN {name}")
        else:
            op.drop_column(table, name)
