"""Deduplicate retried deliveries.

flags.request_key (unique per workspace) lets a retried command or submission find the flag it created;
slack_deliveries remembers Events API event ids for two days.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 05:25:00.405632
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "slack_deliveries",
        sa.Column("delivery_key", sa.String(length=100), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("delivery_key", name=op.f("pk_slack_deliveries")),
    )
    with op.batch_alter_table("slack_deliveries", schema=None) as batch_op:
        batch_op.create_index("ix_slack_deliveries_team_id_received_at", ["team_id", "received_at"], unique=False)

    with op.batch_alter_table("flags", schema=None) as batch_op:
        batch_op.add_column(sa.Column("request_key", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_flags_team_id_request_key"), ["team_id", "request_key"])


def downgrade() -> None:
    with op.batch_alter_table("flags", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_flags_team_id_request_key"), type_="unique")
        batch_op.drop_column("request_key")

    with op.batch_alter_table("slack_deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_slack_deliveries_team_id_received_at")

    op.drop_table("slack_deliveries")
