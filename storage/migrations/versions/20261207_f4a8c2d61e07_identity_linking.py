"""identity linking: /lienket codes, the per-account lock, and when each account was seen last

Revision ID: f4a8c2d61e07
Revises: e3c1a7b9d402
Create Date: 2026-12-07 01:00:00.000000

Issue 14, item 5 (one person, two channels). `link_codes` keeps the sha256 of each one-time
code, whose person and account issued it, when it expires and when it was used;
`channel_identities` gains `link_failures` / `link_locked_until` (five wrong codes lock linking
for that account for 15 minutes) and `last_seen_at`, the moment the account last wrote, so a
person's reminders go to the app they used last.

`last_seen_at` of the accounts that exist already is backfilled from their conversation's last
save (the last message they sent), else from when the account was created: the planner then
picks a sensible account from the first run on.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401 - autogenerate writes sqlmodel.sql.sqltypes.AutoString (§5.4)
from alembic import op


revision: str = "f4a8c2d61e07"
down_revision: str | None = "e3c1a7b9d402"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "link_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("issued_by", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("used_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["issued_by"],
            ["channel_identities.id"],
            name=op.f("fk_link_codes_issued_by_channel_identities"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_link_codes_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["used_by"],
            ["channel_identities.id"],
            name=op.f("fk_link_codes_used_by_channel_identities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link_codes")),
    )
    with op.batch_alter_table("link_codes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_link_codes_code_hash"), ["code_hash"], unique=False)
        batch_op.create_index(batch_op.f("ix_link_codes_person_id"), ["person_id"], unique=False)

    with op.batch_alter_table("channel_identities", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("link_failures", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("link_locked_until", sa.DateTime(timezone=True), nullable=True)
        )

    op.execute(
        "UPDATE channel_identities SET last_seen_at = COALESCE(("
        "SELECT cs.updated_at FROM conversation_states cs "
        "WHERE cs.channel = channel_identities.channel "
        "AND cs.user_id = channel_identities.external_id), created_at)"
    )


def downgrade() -> None:
    with op.batch_alter_table("channel_identities", schema=None) as batch_op:
        batch_op.drop_column("link_locked_until")
        batch_op.drop_column("link_failures")
        batch_op.drop_column("last_seen_at")

    with op.batch_alter_table("link_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_link_codes_person_id"))
        batch_op.drop_index(batch_op.f("ix_link_codes_code_hash"))

    op.drop_table("link_codes")
