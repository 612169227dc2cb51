"""Workspaces of org-wide installs.

An Enterprise Grid org-wide installation is stored with an enterprise id and no team id; org_workspaces records the
org of each workspace it has served, so work without a request (the digest, an uninstall from the org) reaches them.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "org_workspaces",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("enterprise_id", sa.String(length=32), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", name=op.f("pk_org_workspaces")),
    )
    with op.batch_alter_table("org_workspaces", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_org_workspaces_enterprise_id"), ["enterprise_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("org_workspaces", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_org_workspaces_enterprise_id"))

    op.drop_table("org_workspaces")
