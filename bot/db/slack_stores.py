"""The tables of slack_sdk's SQLAlchemy installation and OAuth state stores, and our few reads of them.

The tables are built by slack_sdk's own classmethods, so the Alembic migration and `alembic check` see exactly what
the stores read and write. They live in their own MetaData, not `Base.metadata`: their `team_id` is nullable (an
org-wide install has none), and `purge_workspace` leaves them to the stores' delete methods.
"""

from __future__ import annotations

from datetime import UTC, datetime

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine, MetaData, Table, delete, select
from sqlalchemy.orm import Session

from bot.db.models import Base

STORES_METADATA = MetaData()
INSTALLATIONS: Table = SQLAlchemyInstallationStore.build_installations_table(
    STORES_METADATA, SQLAlchemyInstallationStore.default_installations_table_name
)
BOTS: Table = SQLAlchemyInstallationStore.build_bots_table(
    STORES_METADATA, SQLAlchemyInstallationStore.default_bots_table_name
)
OAUTH_STATES: Table = SQLAlchemyOAuthStateStore.build_oauth_states_table(
    STORES_METADATA, SQLAlchemyOAuthStateStore.default_table_name
)

# Everything the migrations create: what migrations/env.py and the schema test compare against.
SCHEMA_METADATA: list[MetaData] = [Base.metadata, STORES_METADATA]


def find_enterprise_id(engine: Engine, *, client_id: str, team_id: str) -> str | None:
    """The Enterprise Grid org a workspace's newest bot installation belongs to (None outside Grid).

    slack_sdk's find_installation matches enterprise_id exactly, None included, and work without a request (the
    clock, the CLI) knows only the team id: this is how it finds a Grid workspace's installation."""
    stmt = (
        select(BOTS.c.enterprise_id)
        .where(BOTS.c.client_id == client_id, BOTS.c.team_id == team_id, BOTS.c.bot_token.is_not(None))
        .order_by(BOTS.c.installed_at.desc())
        .limit(1)
    )
    with engine.connect() as connection:
        return connection.scalar(stmt)


def list_installed_team_ids(engine: Engine, *, client_id: str) -> list[str]:
    """Workspaces with a bot token stored for this app (the installation store keeps one row per install)."""
    stmt = (
        select(BOTS.c.team_id)
        .where(BOTS.c.client_id == client_id, BOTS.c.team_id.is_not(None), BOTS.c.bot_token.is_not(None))
        .distinct()
        .order_by(BOTS.c.team_id)
    )
    with engine.connect() as connection:
        return list(connection.scalars(stmt))


def delete_oauth_states_expired_before(session: Session, *, now: datetime) -> int:
    """States of installs never finished: slack_sdk deletes a state only when it is used."""
    naive_utc = now.astimezone(UTC).replace(tzinfo=None)  # slack_sdk stores expire_at as naive UTC
    return session.execute(delete(OAUTH_STATES).where(OAUTH_STATES.c.expire_at < naive_utc)).rowcount
