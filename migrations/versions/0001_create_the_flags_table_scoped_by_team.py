"""Create the flags table, scoped by team.

Indexed for the digest (team, created_at) and for "my flags" (team, reporter_hash).

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-24 04:35:07.907148
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "flags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("source_text", sa.String(length=500), nullable=True),
        sa.Column("source_user_id", sa.String(length=32), nullable=True),
        sa.Column("date_demanded", sa.Date(), nullable=True),
        sa.Column("external_constraint", sa.String(length=500), nullable=True),
        sa.Column("channel_id", sa.String(length=32), nullable=True),
        sa.Column("message_ts", sa.String(length=32), nullable=True),
        sa.Column("permalink", sa.String(length=1000), nullable=True),
        sa.Column("reporter_hash", sa.String(length=64), nullable=False),
        sa.Column("reporter_user_id", sa.String(length=32), nullable=True),
        sa.Column("reporter_named", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flags")),
    )
    with op.batch_alter_table("flags", schema=None) as batch_op:
        batch_op.create_index("ix_flags_team_id_created_at", ["team_id", "created_at"], unique=False)
        batch_op.create_index("ix_flags_team_id_reporter_hash", ["team_id", "reporter_hash"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("flags", schema=None) as batch_op:
        batch_op.drop_index("ix_flags_team_id_reporter_hash")
        batch_op.drop_index("ix_flags_team_id_created_at")

    op.drop_table("flags")
