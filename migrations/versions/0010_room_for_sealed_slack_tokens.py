"""Room for sealed Slack tokens.

Tokens in slack_installations and slack_bots are stored Fernet-sealed (bot/db/slack_stores.py), about twice their
length: a sealed rotating token does not fit slack_sdk's 200 characters. The app seals the clear rows left from
before, and clears superseded ones, when it starts (it holds the key; migrations do not).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 00:55:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = {
    "slack_installations": ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token"),
    "slack_bots": ("bot_token", "bot_refresh_token"),
}


def upgrade() -> None:
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.alter_column(column, existing_type=sa.String(length=200), type_=sa.String(length=1000))


def downgrade() -> None:
    # Sealed tokens do not fit back: an install after this downgrade starts clear again.
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.alter_column(column, existing_type=sa.String(length=1000), type_=sa.String(length=200))
