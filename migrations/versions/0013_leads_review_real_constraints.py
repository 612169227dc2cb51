"""Leads review a flag's claimed real external constraint.

flags gain constraint_verdict (a lead's last word: confirmed, not_confirmed, or NULL); flag_constraint_reviews is the
append-only history of those reviews (who, when, from and to which verdict; never the reporter) and goes with its
flag (ON DELETE CASCADE), like flag_status_changes. A partial index finds the flags with a demanded date or a claimed
constraint (the leads' "real constraints" figures) without visiting the others.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "flag_constraint_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("flag_id", sa.Integer(), nullable=False),
        sa.Column("from_verdict", sa.String(length=20), nullable=True),
        sa.Column("verdict", sa.String(length=20), nullable=False),
        sa.Column("reviewed_by", sa.String(length=32), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["flag_id"], ["flags.id"], name=op.f("fk_flag_constraint_reviews_flag_id_flags"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flag_constraint_reviews")),
    )
    with op.batch_alter_table("flag_constraint_reviews", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_flag_constraint_reviews_flag_id"), ["flag_id"], unique=False)
        batch_op.create_index("ix_flag_constraint_reviews_team_id_reviewed_at", ["team_id", "reviewed_at"], unique=False)
    with op.batch_alter_table("flags", schema=None) as batch_op:
        batch_op.add_column(sa.Column("constraint_verdict", sa.String(length=20), nullable=True))
    dated_or_claimed = sa.text("date_demanded IS NOT NULL OR external_constraint IS NOT NULL")
    op.create_index(
        "ix_flags_dated_or_claimed",
        "flags",
        ["team_id", "released_at"],
        postgresql_where=dated_or_claimed,
        sqlite_where=dated_or_claimed,
    )


def downgrade() -> None:
    op.drop_index("ix_flags_dated_or_claimed", table_name="flags")
    with op.batch_alter_table("flags", schema=None) as batch_op:
        batch_op.drop_column("constraint_verdict")
    with op.batch_alter_table("flag_constraint_reviews", schema=None) as batch_op:
        batch_op.drop_index("ix_flag_constraint_reviews_team_id_reviewed_at")
        batch_op.drop_index(batch_op.f("ix_flag_constraint_reviews_flag_id"))
    op.drop_table("flag_constraint_reviews")
