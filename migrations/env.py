"""Alembic environment: the URL comes from the caller (bot.db.migrate) or DATABASE_URL, never from alembic.ini."""

from logging.config import fileConfig

from alembic import context
from sqlalchemy import create_engine, pool

from bot.config import load_config
from bot.db.models import UTCDateTime
from bot.db.slack_stores import SCHEMA_METADATA

config = context.config
database_url = config.attributes.get("database_url")
if database_url is None:
    # Run as the `alembic` command: configure its logging and read the environment.
    if config.config_file_name is not None:
        fileConfig(config.config_file_name)
    database_url = load_config().database_url

# Our models and slack_sdk's installation/state store tables: one schema, one migration history.
target_metadata = SCHEMA_METADATA


def render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    # Migrations must not import app code that may change later: write UTCDateTime as the column it is.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations_offline() -> None:
    context.configure(
        url=database_url, target_metadata=target_metadata, literal_binds=True, render_as_batch=True, compare_type=True
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = create_engine(database_url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        # render_as_batch: SQLite cannot ALTER most things, so Alembic copies the table instead.
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,
            compare_type=True,
            render_item=render_item,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
