"""Forget the source conversation of flags logged from a DM.

A DM's id, message ts or link says who flagged (the other person was there); flags logged before the app stopped
keeping them lose all three. Group DMs' ids look like any channel's and cannot be told apart here.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 00:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    flags = sa.table("flags", sa.column("channel_id"), sa.column("message_ts"), sa.column("permalink"))
    op.execute(
        flags.update()
        .where(sa.or_(flags.c.channel_id.like("D%"), flags.c.permalink.like("%/archives/D%")))
        .values(channel_id=None, message_ts=None, permalink=None)
    )


def downgrade() -> None:
    pass  # what was forgotten stays forgotten
