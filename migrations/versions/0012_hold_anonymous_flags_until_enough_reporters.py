"""Hold anonymous flags until enough different people have flagged.

Flags get a release time (NULL while held) and lose their number until released; workspaces get `min_reporters`
(NULL: the default, 3). Flags stored before count as released, at the time they were stored, and keep their numbers.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("flags", schema=None) as batch_op:
        batch_op.add_column(sa.Column("released_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.alter_column("number", existing_type=sa.Integer(), nullable=True)
        batch_op.create_index(
            batch_op.f("ix_flags_team_id_released_at"), ["team_id", "released_at", "category"], unique=False
        )
        # Open flags are counted, and aged, from their release now.
        batch_op.drop_index(batch_op.f("ix_flags_team_id_status_created_at"))
        batch_op.create_index(
            batch_op.f("ix_flags_team_id_status_released_at"), ["team_id", "status", "released_at"], unique=False
        )
    op.execute("UPDATE flags SET released_at = created_at")
    with op.batch_alter_table("workspace_settings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("min_reporters", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("workspace_settings", schema=None) as batch_op:
        batch_op.drop_column("min_reporters")
    # A held flag has no number, which the older schema requires: held flags cannot go back, and are deleted.
    op.execute("DELETE FROM flags WHERE released_at IS NULL")
    with op.batch_alter_table("flags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_flags_team_id_status_released_at"))
        batch_op.create_index(
            batch_op.f("ix_flags_team_id_status_created_at"), ["team_id", "status", "created_at"], unique=False
        )
        batch_op.drop_index(batch_op.f("ix_flags_team_id_released_at"))
        batch_op.alter_column("number", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("released_at")
