"""A database that hangs instead of failing: a writer holding SQLite's lock, a PostgreSQL host that accepts and never
answers, a pooled PostgreSQL connection whose server stops answering. The reporter still hears "not saved" with
their text within Slack's 3 seconds, and /healthz turns 503 within 10.

The bounds asserted are the promises themselves (3 and 10 seconds), not speed figures.
"""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import urlopen

import pytest

from bot.config import Config, normalise_database_url
from bot.db.session import create_db_engine, create_session_factory
from tests.conftest import serve_app
from tests.fake_slack_api import FakeSlackApi
from tests.slack_requests import SIGNING_SECRET, SlackSender


class SilentServer:
    """Accepts TCP connections and never says a word: a database host that hangs."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            self.held.append(client)

    def close(self) -> None:
        self.listener.close()
        for client in self.held:
            client.close()


class FreezableProxy:
    """Forwards TCP to a real server until frozen; then it keeps every connection open and forwards nothing (the
    kernel still acknowledges), as a hung server or a half-open partition looks from the client."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.frozen = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        while True:
            try:
                data = source.recv(65536)
            except OSError:
                return
            if not data:
                return
            if self.frozen.is_set():
                continue  # swallowed: the client waits for an answer that never comes
            try:
                sink.sendall(data)
            except OSError:
                return

    def close(self) -> None:
        self.listener.close()


def timed_command(sender: SlackSender, text: str) -> tuple[float, str]:
    started = time.monotonic()
    reply = sender.command(text)
    assert reply.status == 200
    return time.monotonic() - started, reply.text


def healthz_status(base_url: str) -> int:
    try:
        with urlopen(base_url + "/healthz", timeout=15) as response:
            return response.status
    except HTTPError as error:
        return error.code


@pytest.fixture
def sqlite_copy(tmp_path: Path, sqlite_template: Path) -> str:
    path = tmp_path / "locked.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def config(fake_slack_api: FakeSlackApi) -> Config:
    """Not the backend-parametrised fixture: each test here brings its own database."""
    return Config(
        signing_secret=SIGNING_SECRET,
        bot_token="xoxb-T1-token",
        slack_api_url=fake_slack_api.api_url,
        reporter_key="test-reporter-key",
    )


@contextmanager
def serving(config: Config, database_url: str, fake: FakeSlackApi) -> Iterator[SlackSender]:
    """The app served as `python -m bot serve` builds it: on an engine with every wait bounded."""
    engine = create_db_engine(database_url, serving=True)
    try:
        with serve_app(replace(config, database_url=database_url), create_session_factory(engine), engine) as base_url:
            yield SlackSender(url=base_url + "/slack/events", fake=fake)
    finally:
        engine.dispose()


def test_an_sqlite_writer_holding_the_lock_gets_not_saved_within_3_seconds(
    config: Config, sqlite_copy: str, fake_slack_api: FakeSlackApi
) -> None:
    holder = sqlite3.connect(sqlite_copy.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("PRAGMA journal_mode=WAL")  # as the app leaves the file after its first connection
    holder.execute("BEGIN IMMEDIATE")  # another process's long write
    try:
        with serving(config, sqlite_copy, fake_slack_api) as sender:
            elapsed, answer = timed_command(sender, "Ship search by Friday")
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    assert "Your flag was not saved" in answer
    assert "Ship search by Friday" in answer  # given back
    assert elapsed < 3


def test_a_postgres_host_that_accepts_and_never_answers_gets_not_saved_within_3_seconds_and_healthz_503(
    config: Config, fake_slack_api: FakeSlackApi
) -> None:
    silent = SilentServer()
    try:
        with serving(config, f"postgresql+psycopg://postgres@127.0.0.1:{silent.port}/hangs", fake_slack_api) as sender:
            elapsed, answer = timed_command(sender, "Ship search by Friday")
            base_url = sender.url.removesuffix("/slack/events")
            started = time.monotonic()
            health = healthz_status(base_url)
            health_elapsed = time.monotonic() - started
    finally:
        silent.close()

    assert "Your flag was not saved" in answer
    assert "Ship search by Friday" in answer
    assert elapsed < 3
    assert health == 503
    assert health_elapsed < 10


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="needs PostgreSQL (TEST_DATABASE_URL)")
def test_a_pooled_postgres_connection_whose_server_stops_answering_gets_not_saved_within_3_seconds(
    config: Config, postgres_url: str, fake_slack_api: FakeSlackApi
) -> None:
    from sqlalchemy.engine import make_url

    real = make_url(normalise_database_url(postgres_url))
    proxy = FreezableProxy((real.host or "127.0.0.1", real.port or 5432))
    through_proxy = real.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    try:
        with serving(config, through_proxy, fake_slack_api) as sender:
            _, first = timed_command(sender, "Stored while the database answers")
            proxy.frozen.set()  # the connection stays in the pool, open, and the server says nothing more
            elapsed, answer = timed_command(sender, "Ship search by Friday")
            proxy.frozen.clear()
    finally:
        proxy.close()

    assert "not saved" not in first
    assert "Your flag was not saved" in answer
    assert "Ship search by Friday" in answer
    assert elapsed < 3
