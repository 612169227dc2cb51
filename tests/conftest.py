"""Fixtures: a real database (SQLite always, PostgreSQL when TEST_DATABASE_URL is set), the fake Slack Web API,
and the real app served over HTTP on a free local port."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import hypothesis
import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Config, normalise_database_url
from bot.db.migrate import upgrade_to_head
from bot.db.session import create_db_engine, create_session_factory
from bot.db.slack_stores import SCHEMA_METADATA
from bot.domain.digest import claim_week
from bot.domain.flags import FlagReport, record_flag
from bot.domain.uninstalls import record_uninstall
from bot.domain.workspace_settings import change_settings
from bot.slack.app import create_app
from bot.slack.tokens import Workspaces, workspaces_for
from bot.slack.web import SLACK_EVENTS_PATH, create_wsgi_app
from tests.fake_slack_api import OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET, FakeSlackApi, start_fake_slack_api
from tests.invariants import AfterAckWork, FuzzedApp
from tests.slack_payloads import SEEDED_TEAMS
from tests.slack_requests import SIGNING_SECRET, Browser, SlackSender

# CI runs the fuzz tests derandomized (the same examples every run), so a red CI always means a change broke
# something; local runs explore new examples each time (`HYPOTHESIS_PROFILE=ci` reproduces CI's).
hypothesis.settings.register_profile("ci", derandomize=True, print_blob=True)
hypothesis.settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite file built once by the migrations; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade_to_head(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """TEST_DATABASE_URL, emptied and rebuilt by the migrations once per run."""
    url = normalise_database_url(os.environ["TEST_DATABASE_URL"])
    engine = create_db_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    upgrade_to_head(url)
    yield url


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_url")
    engine = create_db_engine(url)
    with engine.begin() as connection:  # each test starts from empty tables (the schema stays)
        tables = ", ".join(table.name for metadata in SCHEMA_METADATA for table in metadata.sorted_tables)
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_db_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def db(engine: Engine) -> sessionmaker[Session]:
    return create_session_factory(engine)


@pytest.fixture
def fake_slack_api() -> Iterator[FakeSlackApi]:
    fake, server = start_fake_slack_api()
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def config(fake_slack_api: FakeSlackApi, database_url: str) -> Config:
    return Config(
        signing_secret=SIGNING_SECRET,
        bot_token="xoxb-T1-token",
        slack_api_url=fake_slack_api.api_url,
        database_url=database_url,
        reporter_key="test-reporter-key",
    )


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve_app(
    config: Config,
    db: sessionmaker[Session],
    engine: Engine,
    background: ThreadPoolExecutor | None = None,
    urgent: ThreadPoolExecutor | None = None,
) -> Iterator[str]:
    """The real WSGI app on a free port: Bolt's endpoint at /slack/events, /healthz beside it."""
    background = background or ThreadPoolExecutor(max_workers=8, thread_name_prefix="after-ack")
    urgent = urgent or ThreadPoolExecutor(max_workers=4, thread_name_prefix="trigger")
    application = create_wsgi_app(create_app(config, db, background, urgent), engine, signing_secret=config.signing_secret)
    server = make_server("127.0.0.1", 0, application, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        urgent.shutdown(wait=True)  # after-ack work finishes while the fake Web API still answers
        background.shutdown(wait=True)


@pytest.fixture
def after_ack_pool() -> ThreadPoolExecutor:
    """The app's pool for work after the ack; `after_ack_pool.shutdown(wait=True)` waits for all of it."""
    return ThreadPoolExecutor(max_workers=8, thread_name_prefix="after-ack")


@pytest.fixture
def app_url(config: Config, db: sessionmaker[Session], engine: Engine, after_ack_pool: ThreadPoolExecutor) -> Iterator[str]:
    with serve_app(config, db, engine, after_ack_pool) as base_url:
        yield base_url


@pytest.fixture
def slack(app_url: str, fake_slack_api: FakeSlackApi) -> SlackSender:
    """Sends signed requests to the app's /slack/events, as Slack would."""
    return SlackSender(url=app_url + SLACK_EVENTS_PATH, fake=fake_slack_api)


@pytest.fixture
def oauth_config(config: Config) -> Config:
    """OAuth mode: no bot token, a client id and secret; tokens come from installs into the database."""
    return replace(config, bot_token=None, client_id=OAUTH_CLIENT_ID, client_secret=OAUTH_CLIENT_SECRET)


@pytest.fixture
def oauth_app_url(oauth_config: Config, db: sessionmaker[Session], engine: Engine) -> Iterator[str]:
    with serve_app(oauth_config, db, engine) as base_url:
        yield base_url


@pytest.fixture
def oauth_slack(oauth_app_url: str, fake_slack_api: FakeSlackApi) -> SlackSender:
    """Signed requests to the OAuth-mode app's /slack/events."""
    return SlackSender(url=oauth_app_url + SLACK_EVENTS_PATH, fake=fake_slack_api)


@pytest.fixture
def browser(oauth_app_url: str) -> Browser:
    """An installer's browser on the OAuth-mode app: keeps the state cookie between install and redirect."""
    return Browser(oauth_app_url)


@pytest.fixture
def unreachable_database_url(database_url: str, tmp_path: Path) -> str:
    """A URL of the same backend that cannot be connected to: the database is down."""
    if database_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path}/no-such-directory/down.db"
    return "postgresql+psycopg://postgres@127.0.0.1:1/down"


@pytest.fixture
def down_app_url(config: Config, unreachable_database_url: str) -> Iterator[str]:
    """The app served against a database that is down."""
    down_config = replace(config, database_url=unreachable_database_url)
    engine = create_db_engine(unreachable_database_url)
    with serve_app(down_config, create_session_factory(engine), engine) as base_url:
        yield base_url
    engine.dispose()


def seed_three_workspaces(db: sessionmaker[Session], key: bytes) -> None:
    """Flags (ids 1-9, three per workspace, the same reporter ids in each), digest settings, a digest run and an
    uninstall record, in T1, T2 and T9: what fuzzed requests must never touch outside their own workspace."""
    now = datetime.now(UTC)
    for team_id in SEEDED_TEAMS:
        for user_id, named in (("U1", False), ("U2", False), ("U1", True)):
            report = FlagReport(team_id, user_id, "other", f"{team_id}'s flag by {user_id}", name_reporter=named)
            record_flag(db, report, reporter_key=key)
        change_settings(db, team_id=team_id, now=now, default_channel=None, channel_id="C0LEADS", hour=10)
        assert claim_week(db, team_id=team_id, iso_week="2026-W01", now=now)
    record_uninstall(db, team_id="T9", now=now)


@contextmanager
def fuzzed(config: Config, db: sessionmaker[Session], engine: Engine, fake: FakeSlackApi) -> Iterator[FuzzedApp]:
    # UADMIN is a workspace admin, so fuzzed digest settings reach the database too.
    fake.replies["users.info"] = lambda call: {
        "ok": True,
        "user": {"id": call.body.get("user"), "is_admin": call.body.get("user") == "UADMIN"},
    }
    seed_three_workspaces(db, config.reporter_hash_key)
    after_ack = AfterAckWork()
    with serve_app(config, db, engine, after_ack, urgent=after_ack) as base_url:  # drain() waits for both
        slack = SlackSender(url=base_url + SLACK_EVENTS_PATH, fake=fake)
        yield FuzzedApp(slack=slack, fake=fake, engine=engine, after_ack=after_ack, base_url=base_url)


@pytest.fixture
def fuzzed_app(
    config: Config, db: sessionmaker[Session], engine: Engine, fake_slack_api: FakeSlackApi
) -> Iterator[FuzzedApp]:
    """The single-workspace app, seeded, for fuzz tests (tests/invariants.py checks each request)."""
    with fuzzed(config, db, engine, fake_slack_api) as app:
        yield app


@pytest.fixture
def fuzzed_oauth_app(
    oauth_config: Config, db: sessionmaker[Session], engine: Engine, fake_slack_api: FakeSlackApi
) -> Iterator[FuzzedApp]:
    """The OAuth-mode app, seeded, with T1 and T2 installed (see FuzzedApp.reinstall)."""
    with fuzzed(oauth_config, db, engine, fake_slack_api) as app:
        app.reinstall()
        yield app


@pytest.fixture
def workspaces(config: Config) -> Workspaces:
    """The deployment's workspaces, as the clock process and CLI see them (the fake answers auth.test as T1)."""
    return workspaces_for(config)
