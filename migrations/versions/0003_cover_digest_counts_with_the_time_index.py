"""Cover the digest's GROUP BY with the flags time index.

With category in (team_id, created_at, category), counting a period by category reads the index only.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 04:59:35.837537
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("flags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_flags_team_id_created_at"))
        batch_op.create_index("ix_flags_team_id_created_at", ["team_id", "created_at", "category"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("flags", schema=None) as batch_op:
        batch_op.drop_index("ix_flags_team_id_created_at")
        batch_op.create_index(batch_op.f("ix_flags_team_id_created_at"), ["team_id", "created_at"], unique=False)
