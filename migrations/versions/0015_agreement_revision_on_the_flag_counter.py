"""flag_counters gain agreement_revision: a random token, new with every change to the workspace's agreement.

A flag's lock on its workspace's counter row returns it, so a process can keep the agreement it read and still know,
with no further read, when it is out of date. NULL for every existing row: the first read of each agreement sets it.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("flag_counters", schema=None) as batch_op:
        batch_op.add_column(sa.Column("agreement_revision", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("flag_counters", schema=None) as batch_op:
        batch_op.drop_column("agreement_revision")
