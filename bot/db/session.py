"""Engine and session factory. One per process, built from the database URL and passed down."""

from __future__ import annotations

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker


def create_db_engine(database_url: str) -> Engine:
    """An engine tuned for its backend: SQLite waits on locks and uses WAL; PostgreSQL checks pooled connections.

    hide_parameters: a failed statement's error must not carry flag text or reporter hashes into the logs.
    """
    if database_url.startswith("sqlite"):
        engine = create_engine(database_url, connect_args={"timeout": 15}, hide_parameters=True)
        event.listen(engine, "connect", _configure_sqlite)
        return engine
    # connect_timeout: a database that is down should fail a request in seconds, not hang it.
    return create_engine(
        database_url, pool_pre_ping=True, pool_size=10, connect_args={"connect_timeout": 5}, hide_parameters=True
    )


def _configure_sqlite(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    # WAL lets the web threads read while one writes; busy_timeout makes writers queue instead of failing.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def create_session_factory(engine: Engine) -> sessionmaker[Session]:
    # expire_on_commit=False: the domain copies rows into dataclasses after commit without reloading them.
    return sessionmaker(engine, expire_on_commit=False)


def engine_of(db: sessionmaker[Session]) -> Engine:
    """The engine a session factory was made with (by create_session_factory)."""
    engine = db.kw["bind"]
    assert isinstance(engine, Engine)
    return engine


def is_database_up(engine: Engine) -> bool:
    """True when the database answers a trivial query."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except SQLAlchemyError:
        return False
