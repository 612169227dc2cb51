"""The tables of slack_sdk's SQLAlchemy installation and OAuth state stores, our few reads of them, and the
installation store that keeps their tokens encrypted.

The tables are built by the stores' own classmethods, so the Alembic migration and `alembic check` see exactly what
the stores read and write. They live in their own MetaData, not `Base.metadata`: their `team_id` is nullable (an
org-wide install has none), and `purge_workspace` leaves them to the stores' delete methods.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine, MetaData, String, Table, and_, delete, or_, select, update
from sqlalchemy.orm import Session

from bot.db.models import Base, OrgWorkspace

log = logging.getLogger(__name__)

SEALED_PREFIX = "fernet:"  # marks a sealed token; a value without it is one stored before tokens were sealed
BOT_TOKEN_COLUMNS = ("bot_token", "bot_refresh_token")
USER_TOKEN_COLUMNS = ("user_token", "user_refresh_token")
TOKEN_COLUMN_LENGTH = 1000  # a sealed rotating token (~160 characters in clear) is ~330; slack_sdk allows 200


@dataclass(frozen=True)
class TokenCipher:
    """Fernet under a key derived from REPORTER_KEY, which is kept out of the database's reach."""

    key: bytes

    @property
    def _fernet(self) -> Fernet:
        # A key of its own: neither the reporter HMAC key nor the contact key doubles as this one.
        derived = hmac.new(self.key, b"deadline-flag slack tokens v1", hashlib.sha256).digest()
        return Fernet(base64.urlsafe_b64encode(derived))

    def seal(self, token: str | None) -> str | None:
        if not token or token.startswith(SEALED_PREFIX):
            return token
        return SEALED_PREFIX + self._fernet.encrypt(token.encode()).decode()

    def open(self, stored: str | None) -> str | None:
        """The token in clear; None if it was sealed under another key (REPORTER_KEY changed: reinstall)."""
        if not stored or not stored.startswith(SEALED_PREFIX):
            return stored  # empty, or a clear token from before: `seal_stored_tokens` seals it
        try:
            return self._fernet.decrypt(stored.removeprefix(SEALED_PREFIX).encode()).decode()
        except InvalidToken:
            return None


class SealedInstallationStore(SQLAlchemyInstallationStore):
    """slack_sdk's store, as Bolt and the clock use it, with tokens sealed on save and opened on find.

    A save also clears the tokens of the workspace's earlier rows: a superseded token is not kept anywhere.
    """

    def __init__(self, client_id: str, engine: Engine, cipher: TokenCipher, logger: logging.Logger = log) -> None:
        super().__init__(client_id=client_id, engine=engine, logger=logger)
        self.cipher = cipher

    @classmethod
    def build_installations_table(cls, metadata: MetaData, table_name: str) -> Table:
        return _widen(super().build_installations_table(metadata, table_name), BOT_TOKEN_COLUMNS + USER_TOKEN_COLUMNS)

    @classmethod
    def build_bots_table(cls, metadata: MetaData, table_name: str) -> Table:
        return _widen(super().build_bots_table(metadata, table_name), BOT_TOKEN_COLUMNS)

    def save(self, installation: Installation) -> None:
        # super().save() writes the installation, then save_bot(installation.to_bot()): both get sealed values,
        # and seal() leaves a sealed value as it is.
        super().save(_replace_tokens(installation, self.cipher.seal))
        self._clear_superseded(self.installations, installation, BOT_TOKEN_COLUMNS + USER_TOKEN_COLUMNS)

    def save_bot(self, bot: Bot) -> None:
        super().save_bot(_replace_tokens(bot, self.cipher.seal))
        self._clear_superseded(self.bots, bot, BOT_TOKEN_COLUMNS)

    def find_bot(self, *, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None = False):
        bot = super().find_bot(enterprise_id=enterprise_id, team_id=team_id, is_enterprise_install=is_enterprise_install)
        return self._opened(bot)

    def find_bot_of_team(self, team_id: str) -> Bot | None:
        """The workspace's bot, whatever Enterprise Grid org it belongs to (find_bot matches enterprise_id exactly);
        else the bot of its org's org-wide installation."""
        enterprise_id = find_enterprise_id(self.engine, client_id=self.client_id, team_id=team_id)
        bot = self.find_bot(enterprise_id=enterprise_id, team_id=team_id)
        if bot is None and (org := find_org_of_workspace(self.engine, team_id=team_id)) is not None:
            bot = self.find_bot(enterprise_id=org, team_id=None, is_enterprise_install=True)
        return bot

    def find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ):
        installation = super().find_installation(
            enterprise_id=enterprise_id, team_id=team_id, user_id=user_id, is_enterprise_install=is_enterprise_install
        )
        return self._opened(installation)

    def _opened(self, entity: Any) -> Any:
        if entity is None:
            return None
        opened = _replace_tokens(entity, self.cipher.open)
        if entity.bot_token and not opened.bot_token:
            # Sealed under another key: to Bolt the workspace is not installed until it is installed again.
            log.warning("stored bot token cannot be opened with REPORTER_KEY: reinstall", extra={"team_id": entity.team_id})
            return None
        return opened

    def _clear_superseded(self, table: Table, entity: Any, columns: tuple[str, ...]) -> None:
        c = table.c
        same_workspace = and_(
            c.client_id == self.client_id, c.enterprise_id == entity.enterprise_id, c.team_id == entity.team_id
        )
        with self.engine.begin() as connection:
            latest = connection.scalar(
                select(c.id).where(same_workspace).order_by(c.installed_at.desc(), c.id.desc()).limit(1)
            )
            if latest is not None:
                connection.execute(update(table).where(same_workspace, c.id != latest).values(dict.fromkeys(columns)))


def _widen(table: Table, columns: tuple[str, ...]) -> Table:
    for name in columns:
        table.c[name].type = String(TOKEN_COLUMN_LENGTH)
    return table


def _replace_tokens(entity: Installation | Bot, change: Callable[[str | None], str | None]) -> Any:
    """A copy of an Installation or Bot (as slack_sdk's TokenRotator copies one) with each token through `change`."""
    values = entity.to_dict_for_copying()
    for name in BOT_TOKEN_COLUMNS + (USER_TOKEN_COLUMNS if isinstance(entity, Installation) else ()):
        values[name] = change(values.get(name))
    return type(entity)(**values)


STORES_METADATA = MetaData()
INSTALLATIONS: Table = SealedInstallationStore.build_installations_table(
    STORES_METADATA, SQLAlchemyInstallationStore.default_installations_table_name
)
BOTS: Table = SealedInstallationStore.build_bots_table(STORES_METADATA, SQLAlchemyInstallationStore.default_bots_table_name)
OAUTH_STATES: Table = SQLAlchemyOAuthStateStore.build_oauth_states_table(
    STORES_METADATA, SQLAlchemyOAuthStateStore.default_table_name
)

# Everything the migrations create: what migrations/env.py and the schema test compare against.
SCHEMA_METADATA: list[MetaData] = [Base.metadata, STORES_METADATA]


def seal_stored_tokens(engine: Engine, cipher: TokenCipher) -> int:
    """Rows stored before tokens were sealed: superseded ones lose their tokens, the latest per workspace get them
    sealed. Idempotent (every process start runs it); the number of rows changed."""
    changed = 0
    with engine.begin() as connection:
        for table, columns in ((INSTALLATIONS, BOT_TOKEN_COLUMNS + USER_TOKEN_COLUMNS), (BOTS, BOT_TOKEN_COLUMNS)):
            c = table.c
            latest: dict[tuple, int] = {}
            ordered = select(c.id, c.client_id, c.enterprise_id, c.team_id).order_by(c.installed_at, c.id)
            for row in connection.execute(ordered).all():
                latest[(row.client_id, row.enterprise_id, row.team_id)] = row.id  # the last one wins
            holding = or_(*(c[name].is_not(None) for name in columns))
            superseded = update(table).where(holding, c.id.not_in(list(latest.values()) or [-1]))
            changed += connection.execute(superseded.values(dict.fromkeys(columns))).rowcount
            clear = [table.c[name].is_not(None) & ~table.c[name].startswith(SEALED_PREFIX) for name in columns]
            rows = connection.execute(select(table.c.id, *(table.c[n] for n in columns)).where(or_(*clear))).mappings()
            for row in rows.all():
                sealed = {name: cipher.seal(row[name]) for name in columns}
                connection.execute(update(table).where(table.c.id == row["id"]).values(sealed))
                changed += 1
    return changed


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


def find_org_of_workspace(engine: Engine, *, team_id: str) -> str | None:
    """The Enterprise Grid org whose org-wide installation has served this workspace (None if none has)."""
    with engine.connect() as connection:
        return connection.scalar(select(OrgWorkspace.enterprise_id).where(OrgWorkspace.team_id == team_id))


def list_installed_team_ids(engine: Engine, *, client_id: str) -> list[str]:
    """Workspaces with a bot token stored for this app (the installation store keeps one row per install), and the
    workspaces an org-wide installation with a bot token has served (it names none itself)."""
    installed = select(BOTS.c.team_id).where(
        BOTS.c.client_id == client_id, BOTS.c.team_id.is_not(None), BOTS.c.bot_token.is_not(None)
    )
    through_org = (
        select(OrgWorkspace.team_id)
        .join(BOTS, BOTS.c.enterprise_id == OrgWorkspace.enterprise_id)
        .where(
            BOTS.c.client_id == client_id,
            BOTS.c.team_id.is_(None),
            BOTS.c.is_enterprise_install.is_(True),
            BOTS.c.bot_token.is_not(None),
        )
    )
    with engine.connect() as connection:
        return sorted(set(connection.scalars(installed)) | set(connection.scalars(through_org)))


def delete_oauth_states_expired_before(session: Session, *, now: datetime) -> int:
    """States of installs never finished: slack_sdk deletes a state only when it is used."""
    naive_utc = now.astimezone(UTC).replace(tzinfo=None)  # slack_sdk stores expire_at as naive UTC
    return session.execute(delete(OAUTH_STATES).where(OAUTH_STATES.c.expire_at < naive_utc)).rowcount
