"""evidence removal: an evidence item taken off an indicator is marked, not deleted

Revision ID: d7e2a9c4b815
Revises: b2f4a6c8d0e1
Create Date: 2026-12-06 19:00:00.000000

Officials correct their evidence in the chat (“xóa minh chứng 2”, issue 12). The link between
the item and the indicator keeps its row with the moment and the person of the removal; the
item, its file and the audit log stay, so a removal can be read back and undone by an operator.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401 - autogenerate writes sqlmodel.sql.sqltypes.AutoString (§5.4)
from alembic import op


revision: str = "d7e2a9c4b815"
down_revision: str | None = "b2f4a6c8d0e1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("evidence_indicators", schema=None) as batch_op:
        batch_op.add_column(sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("removed_by", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_evidence_indicators_removed_by_people"),
            "people",
            ["removed_by"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("evidence_indicators", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_evidence_indicators_removed_by_people"), type_="foreignkey"
        )
        batch_op.drop_column("removed_by")
        batch_op.drop_column("removed_at")
