"""Locks that die with their holder. A process that is killed (SIGKILL, a crashed machine) lets go at once, so
whoever takes a lock next knows that the work it guards was left unfinished, and can finish it without waiting for a
timeout. PostgreSQL: a session advisory lock, on a connection of its own (the server drops it with the connection).
SQLite: a POSIX record lock on a file beside the database (the kernel drops it with the process), and, since those
are per process, a set of the locks this process holds, for its threads."""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import threading
import zlib
from collections.abc import Iterator

from sqlalchemy import Connection, Engine, text

log = logging.getLogger(__name__)

ADVISORY_NAMESPACE = 0x64660001  # pg_try_advisory_lock's first key: this app's locks, apart from anyone else's

_held_here: set[tuple[str, int]] = set()  # (lock file, key) held by a thread of this process
_held_here_guard = threading.Lock()
_lock_files: dict[str, int] = {}  # one descriptor per lock file, never closed: closing any would drop every lock


@contextlib.contextmanager
def hold(engine: Engine, name: str) -> Iterator[bool]:
    """Try to take the lock called `name`, without waiting: True while this caller holds it, False if someone alive
    does. Raises if the database cannot be reached."""
    key = zlib.crc32(name.encode())  # two names may share a key: one of them then waits for the other, never both run
    if engine.dialect.name == "postgresql":
        with _advisory_lock(engine, key - 2**31) as held:  # int4, as pg_try_advisory_lock(int, int) takes
            yield held
    else:
        with _file_lock(engine.url.database, key) as held:
            yield held


@contextlib.contextmanager
def _advisory_lock(engine: Engine, key: int) -> Iterator[bool]:
    connection = engine.connect()
    try:
        held = bool(
            connection.scalar(text("SELECT pg_try_advisory_lock(:ns, :key)"), {"ns": ADVISORY_NAMESPACE, "key": key})
        )
        connection.commit()  # the lock is the session's: no transaction stays open while the work runs
    except BaseException:
        connection.invalidate()
        connection.close()
        raise
    try:
        yield held
    finally:
        if held:
            _let_go(connection, key)
        else:
            connection.close()


def _let_go(connection: Connection, key: int) -> None:
    """Unlock and give the connection back; if that fails, close it for good, which unlocks as surely."""
    try:
        connection.execute(text("SELECT pg_advisory_unlock(:ns, :key)"), {"ns": ADVISORY_NAMESPACE, "key": key})
        connection.commit()
    except Exception as error:
        log.warning("advisory lock not released: its connection is closed instead", extra={"error": type(error).__name__})
        connection.invalidate()
    finally:
        connection.close()


@contextlib.contextmanager
def _file_lock(database: str | None, key: int) -> Iterator[bool]:
    # An in-memory database lives in one process: the set of this process's locks is the whole truth.
    path = f"{database}.locks" if database and database != ":memory:" else ""
    with _held_here_guard:
        if (path, key) in _held_here:
            held = False
        else:
            held = not path or _try_lockf(path, key)
            if held:
                _held_here.add((path, key))
    try:
        yield held
    finally:
        if held:
            with _held_here_guard:
                if path:
                    fcntl.lockf(_lock_files[path], fcntl.LOCK_UN, 1, key)
                _held_here.discard((path, key))


def _try_lockf(path: str, key: int) -> bool:
    """One byte at offset `key` of the lock file stands for the lock (nothing is written: the file stays empty)."""
    if path not in _lock_files:
        _lock_files[path] = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.lockf(_lock_files[path], fcntl.LOCK_EX | fcntl.LOCK_NB, 1, key)
    except OSError:  # EAGAIN or EACCES: another process holds it
        return False
    return True
