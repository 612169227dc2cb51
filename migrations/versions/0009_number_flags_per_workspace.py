"""Number flags per workspace.

A flag's `#` came from one sequence across workspaces, so a receipt told other workspaces' volume. Existing flags
are numbered by workspace in id order, and each workspace's counter starts after its highest number.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 00:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "flag_counters",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("team_id", name=op.f("pk_flag_counters")),
    )
    with op.batch_alter_table("flags", schema=None) as batch_op:
        batch_op.add_column(sa.Column("number", sa.Integer(), nullable=True))
    # A correlated count rather than ROW_NUMBER(): the same statement on SQLite and PostgreSQL.
    op.execute(
        "UPDATE flags SET number = (SELECT COUNT(*) FROM flags AS earlier"
        " WHERE earlier.team_id = flags.team_id AND earlier.id <= flags.id)"
    )
    op.execute("INSERT INTO flag_counters (team_id, last_number) SELECT team_id, MAX(number) FROM flags GROUP BY team_id")
    with op.batch_alter_table("flags", schema=None) as batch_op:
        batch_op.alter_column("number", existing_type=sa.Integer(), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_flags_team_id_number"), ["team_id", "number"])


def downgrade() -> None:
    with op.batch_alter_table("flags", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_flags_team_id_number"), type_="unique")
        batch_op.drop_column("number")
    op.drop_table("flag_counters")
