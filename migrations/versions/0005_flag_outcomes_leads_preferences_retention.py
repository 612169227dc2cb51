"""Flag outcomes: status history, leads, reporter preferences, retention.

flag_status_changes is append-only and goes with its flag (ON DELETE CASCADE); flags gain the encrypted
reporter contact for outcome DMs, a status reason and resolved_at; workspace_settings gains retention_days;
digest_runs keep the period they posted, to redraw the message when an outcome changes.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 05:09:32.885253
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reporter_preferences",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("reporter_hash", sa.String(length=64), nullable=False),
        sa.Column("outcome_dms", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "reporter_hash", name=op.f("pk_reporter_preferences")),
    )
    op.create_table(
        "workspace_leads",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "user_id", name=op.f("pk_workspace_leads")),
    )
    op.create_table(
        "flag_status_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("flag_id", sa.Integer(), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=False),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=True),
        sa.Column("changed_by", sa.String(length=32), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["flag_id"], ["flags.id"], name=op.f("fk_flag_status_changes_flag_id_flags"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flag_status_changes")),
    )
    with op.batch_alter_table("flag_status_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_flag_status_changes_flag_id"), ["flag_id"], unique=False)
        batch_op.create_index("ix_flag_status_changes_team_id_changed_at", ["team_id", "changed_at"], unique=False)

    with op.batch_alter_table("flags", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reporter_contact", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("status_reason", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_flags_team_id_status_created_at", ["team_id", "status", "created_at"], unique=False)
        batch_op.create_index("ix_flags_team_id_resolved_at", ["team_id", "resolved_at"], unique=False)

    with op.batch_alter_table("workspace_settings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("retention_days", sa.Integer(), nullable=True))

    with op.batch_alter_table("digest_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("period_start", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("period_end", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("digest_runs", schema=None) as batch_op:
        batch_op.drop_column("period_end")
        batch_op.drop_column("period_start")

    with op.batch_alter_table("workspace_settings", schema=None) as batch_op:
        batch_op.drop_column("retention_days")

    with op.batch_alter_table("flags", schema=None) as batch_op:
        batch_op.drop_index("ix_flags_team_id_resolved_at")
        batch_op.drop_index("ix_flags_team_id_status_created_at")
        batch_op.drop_column("resolved_at")
        batch_op.drop_column("status_reason")
        batch_op.drop_column("reporter_contact")

    with op.batch_alter_table("flag_status_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_flag_status_changes_team_id_changed_at")
        batch_op.drop_index(batch_op.f("ix_flag_status_changes_flag_id"))

    op.drop_table("flag_status_changes")
    op.drop_table("workspace_leads")
    op.drop_table("reporter_preferences")
