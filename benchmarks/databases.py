"""The databases the benchmark runs on: a fresh SQLite file, and a throwaway PostgreSQL database when one answers."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, func, select, table, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

SQLITE = "sqlite"
POSTGRESQL = "postgresql"
POSTGRES_ADMIN_URL_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@dataclass(frozen=True)
class Backend:
    name: str
    url: str  # what the app gets as DATABASE_URL


@contextmanager
def sqlite_backend(directory: Path) -> Iterator[Backend]:
    """A new file, so the count of flags starts at zero; the caller's temp dir removes it."""
    yield Backend(SQLITE, f"sqlite:///{directory / 'deadline_flag_bench.db'}")


def is_postgres_reachable(admin_url: str) -> bool:
    engine = create_engine(admin_url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except SQLAlchemyError:
        return False
    finally:
        engine.dispose()


@contextmanager
def postgresql_backend(admin_url: str) -> Iterator[Backend]:
    """`deadline_flag_bench_<pid>`, created empty and dropped afterwards, even when the benchmark fails."""
    name = f"deadline_flag_bench_{os.getpid()}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield Backend(POSTGRESQL, make_url(admin_url).set(database=name).render_as_string(hide_password=False))
    finally:
        with admin.connect() as connection:
            # FORCE: a server that could not be stopped cleanly may still hold connections.
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def count_flags(database_url: str) -> int:
    """Rows in `flags`, read from outside the app: what a request's 200 promised was stored."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return int(connection.scalar(select(func.count()).select_from(table("flags"))) or 0)
    finally:
        engine.dispose()
