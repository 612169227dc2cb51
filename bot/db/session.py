"""Engine and session factory. One per process, built from the database URL and passed down.

Every wait on the database is bounded, so a flag that cannot be stored is answered "not saved" (with its text)
within Slack's 3 seconds, whatever the database does: SQLite's lock wait, PostgreSQL's connect, each statement (on
the server, and on the client for a server that stops answering on an open connection), and a pool checkout.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
from typing import Any

from sqlalchemy import Engine, create_engine, event, exc, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

# The budget of one wait. A request makes at most a checkout and one unit of work before it answers, and a
# healthy database takes milliseconds for either: 2 seconds is already a database that is not there.
SQLITE_BUSY_SECONDS = 2  # another writer holds the lock
CONNECT_SECONDS = 2  # libpq's smallest connect_timeout: a host that accepts and never answers
STATEMENT_SECONDS = 2  # PostgreSQL cancels a statement (or a lock wait) running longer
POOL_CHECKOUT_SECONDS = 1  # every connection of the pool is busy
# A server that stops answering on an open connection (hung, or a partition with the connection pooled) never
# runs its statement_timeout: the client gives up on its own, a little later, and the connection is replaced.
CLIENT_STATEMENT_SECONDS = 2.5
PING_SECONDS = 1.0  # a pooled connection's check before use answers in milliseconds
TCP_USER_TIMEOUT_MS = 2500  # data sent but never acknowledged (a partition): the kernel drops the connection
BATCH_SQLITE_BUSY_SECONDS = 15  # the clock and the CLI queue behind the web process's writes


def create_db_engine(database_url: str, *, serving: bool = False) -> Engine:
    """An engine tuned for its backend: SQLite waits on locks and uses WAL; PostgreSQL checks pooled connections.

    serving: the web process, where every wait is bounded so that Slack hears an answer within 3 seconds. The clock
    and the CLI wait longer (a purge may delete many rows; nobody is waiting on a 3-second answer).
    hide_parameters: a failed statement's error must not carry flag text or reporter hashes into the logs.
    """
    if database_url.startswith("sqlite"):
        busy_seconds = SQLITE_BUSY_SECONDS if serving else BATCH_SQLITE_BUSY_SECONDS
        engine = create_engine(database_url, connect_args={"timeout": busy_seconds}, hide_parameters=True)
        event.listen(engine, "connect", lambda dbapi_connection, _: _configure_sqlite(dbapi_connection, busy_seconds))
        return engine
    if not serving:
        return create_engine(
            database_url, pool_pre_ping=True, pool_size=10, connect_args={"connect_timeout": 5}, hide_parameters=True
        )
    engine = create_engine(
        database_url,
        pool_size=10,
        pool_timeout=POOL_CHECKOUT_SECONDS,
        connect_args={
            "connect_timeout": CONNECT_SECONDS,
            "options": f"-c statement_timeout={STATEMENT_SECONDS * 1000}",
            "tcp_user_timeout": TCP_USER_TIMEOUT_MS,
            # An idle pooled connection whose server has gone is found dead before a request needs it.
            "keepalives": 1,
            "keepalives_idle": 5,
            "keepalives_interval": 1,
            "keepalives_count": 2,
        },
        hide_parameters=True,
    )
    _WATCHDOG.guard(engine)  # in place of pool_pre_ping, whose ping no timeout covers
    return engine


def _configure_sqlite(dbapi_connection, busy_seconds: int) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    # WAL lets the web threads read while one writes; busy_timeout makes writers queue (a while) instead of failing.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={busy_seconds * 1000}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


class _Watchdog:
    """Severs a PostgreSQL connection whose statement, commit, rollback or ping has waited past its deadline.

    psycopg waits on the socket without a timeout of its own; shutting the socket down wakes it with an error,
    which SQLAlchemy takes for a disconnect (the connection is invalidated, the pool makes a new one). One thread
    watches every connection of the process, so arming costs a dict write, not a thread per statement.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # id(dbapi connection) -> (deadline, the connection, its socket's fd)
        self._deadlines: dict[int, tuple[float, Any, int]] = {}
        self._severed: set[int] = set()
        self._thread: threading.Thread | None = None

    def guard(self, engine: Engine) -> None:
        event.listen(engine, "before_cursor_execute", lambda conn, *_: self.arm(conn.connection.dbapi_connection))
        event.listen(engine, "after_cursor_execute", lambda conn, *_: self.disarm(conn.connection.dbapi_connection))
        event.listen(engine, "commit", lambda conn: self.arm(conn.connection.dbapi_connection))
        event.listen(engine, "rollback", lambda conn: self.arm(conn.connection.dbapi_connection))
        event.listen(engine, "handle_error", self._on_error)
        pool = engine.pool
        event.listen(pool, "checkout", self._ping)
        event.listen(pool, "reset", lambda dbapi_connection, *_: self.arm(dbapi_connection))
        event.listen(pool, "checkin", lambda dbapi_connection, _record: self.disarm(dbapi_connection))
        event.listen(pool, "close", lambda dbapi_connection, _record: self.disarm(dbapi_connection))

    def arm(self, dbapi_connection: object | None, seconds: float = CLIENT_STATEMENT_SECONDS) -> None:
        if dbapi_connection is None:
            return
        try:
            fd = dbapi_connection.fileno()  # type: ignore[attr-defined]
        except Exception:  # closed already: nothing to wait on
            return
        with self._lock:
            self._deadlines[id(dbapi_connection)] = (time.monotonic() + seconds, dbapi_connection, fd)
            self._severed.discard(id(dbapi_connection))
            if self._thread is None:
                self._thread = threading.Thread(target=self._watch, name="db-watchdog", daemon=True)
                self._thread.start()

    def disarm(self, dbapi_connection: object | None) -> bool:
        """Stop watching; True if the watchdog had already severed it."""
        with self._lock:
            self._deadlines.pop(id(dbapi_connection), None)
            if id(dbapi_connection) in self._severed:
                self._severed.discard(id(dbapi_connection))
                return True
            return False

    def _on_error(self, context: exc.ExceptionContext) -> None:
        with contextlib.suppress(Exception):  # a connection already closed or invalidated has nothing to disarm
            if context.connection is not None and not context.connection.invalidated:
                self.disarm(context.connection.connection.dbapi_connection)

    def _ping(self, dbapi_connection, connection_record, connection_proxy) -> None:  # type: ignore[no-untyped-def]
        # pool_pre_ping's ping runs before any event could arm the watchdog: this one runs under it.
        self.arm(dbapi_connection, PING_SECONDS)
        try:
            cursor = dbapi_connection.cursor()
            cursor.execute("SELECT 1")
            cursor.close()
        except Exception as error:
            severed = self.disarm(dbapi_connection)
            if severed:
                # The server took the ping and said nothing: a new connection would hang the same way, past
                # Slack's 3 seconds. Fail this checkout now (the connection is discarded); the next one reconnects.
                raise exc.OperationalError("SELECT 1", None, error) from error
            raise exc.DisconnectionError("pooled connection is closed") from error  # the pool reconnects at once
        self.disarm(dbapi_connection)

    def _watch(self) -> None:
        while True:
            time.sleep(0.1)
            now = time.monotonic()
            with self._lock:
                late = [(key, conn, fd) for key, (deadline, conn, fd) in self._deadlines.items() if deadline <= now]
                for key, _, _ in late:
                    del self._deadlines[key]
                    self._severed.add(key)
            for _, conn, fd in late:
                if getattr(conn, "closed", True) or _fileno(conn) != fd:
                    continue  # closed meanwhile: its fd may already belong to another socket
                log.warning(
                    "database connection gave no answer in time: severed", extra={"seconds": CLIENT_STATEMENT_SECONDS}
                )
                _shut_down(fd)


def _fileno(dbapi_connection: Any) -> int | None:
    try:
        return int(dbapi_connection.fileno())
    except Exception:
        return None


def _shut_down(fd: int) -> None:
    """Shut the socket down (on a duplicate descriptor: the connection still owns and closes its own)."""
    with contextlib.suppress(OSError):
        duplicate = socket.socket(fileno=os.dup(fd))
        try:
            duplicate.shutdown(socket.SHUT_RDWR)
        finally:
            duplicate.close()


_WATCHDOG = _Watchdog()


def create_session_factory(engine: Engine) -> sessionmaker[Session]:
    # expire_on_commit=False: the domain copies rows into dataclasses after commit without reloading them.
    return sessionmaker(engine, expire_on_commit=False)


def engine_of(db: sessionmaker[Session]) -> Engine:
    """The engine a session factory was made with (by create_session_factory)."""
    engine = db.kw["bind"]
    assert isinstance(engine, Engine)
    return engine


def is_database_up(engine: Engine) -> bool:
    """True when the database answers a trivial query (in seconds either way: every wait is bounded)."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except SQLAlchemyError:
        return False
