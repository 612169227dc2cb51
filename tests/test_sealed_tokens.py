"""OAuth mode: bot and refresh tokens are stored sealed under a key derived from REPORTER_KEY, superseded ones are
not kept, rows stored in clear before are sealed when the app starts, and a token sealed under another key is not
used (the workspace must reinstall)."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime

from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Config
from bot.db.slack_stores import BOTS, INSTALLATIONS, TokenCipher
from bot.slack.tokens import create_installation_store
from bot.slack.web import SLACK_EVENTS_PATH
from tests.conftest import serve_app
from tests.fake_slack_api import OAUTH_CLIENT_ID, FakeSlackApi
from tests.slack_requests import Browser, SlackSender

CIPHER = TokenCipher(b"test-reporter-key")  # the settings fixture's REPORTER_KEY


def stored_rows(engine: Engine) -> list[dict]:
    with engine.connect() as connection:
        rows = []
        for table in (INSTALLATIONS, BOTS):
            query = select(table).order_by(table.c.installed_at, table.c.id)
            rows += [{"table": table.name, **row} for row in connection.execute(query).mappings()]
        return rows


def test_installed_tokens_are_stored_sealed_and_requests_are_served_with_them(
    browser: Browser, oauth_slack: SlackSender, fake_slack_api: FakeSlackApi, engine: Engine
) -> None:
    browser.install("T2", rotating=True)

    oauth_slack.command("", team_id="T2")

    [opened] = fake_slack_api.wait_for("views.open")
    assert opened.token == "xoxb-T2-1"
    rows = stored_rows(engine)
    assert len(rows) == 2 and "xoxb-" not in str(rows) and "xoxe-" not in str(rows)
    assert {(CIPHER.open(r["bot_token"]), CIPHER.open(r["bot_refresh_token"])) for r in rows} == {
        ("xoxb-T2-1", "xoxe-1-T2-1")
    }


def test_a_reinstall_keeps_no_superseded_token(browser: Browser, oauth_app_url: str, engine: Engine) -> None:
    browser.install("T2", rotating=True)
    time.sleep(0.01)  # installed_at orders the rows
    Browser(oauth_app_url).install("T2", rotating=True)

    by_table = {
        table: [r for r in stored_rows(engine) if r["table"] == table] for table in ("slack_installations", "slack_bots")
    }

    for rows in by_table.values():
        assert [(r["bot_token"] is None, r["bot_refresh_token"] is None) for r in rows] == [(True, True), (False, False)]


def store_in_clear(engine: Engine, team_id: str, token: str, installed_at: float) -> None:
    """What slack_sdk's own store wrote before tokens were sealed."""
    SQLAlchemyInstallationStore(client_id=OAUTH_CLIENT_ID, engine=engine).save(
        Installation(
            app_id="A1", team_id=team_id, bot_token=token, bot_refresh_token=f"xoxe-1-{team_id}-9", bot_id="B1",
            bot_user_id="UBOT", bot_scopes="commands,chat:write", user_id="UINSTALLER", installed_at=installed_at,
        )
    )  # fmt: skip


def test_tokens_stored_in_clear_before_are_sealed_and_superseded_ones_cleared_when_the_app_starts(
    oauth_config: Config, db: sessionmaker[Session], engine: Engine, fake_slack_api: FakeSlackApi
) -> None:
    now = datetime.now(UTC).timestamp()
    store_in_clear(engine, "T2", "xoxb-T2-old", now - 100)
    store_in_clear(engine, "T2", "xoxb-T2-7", now - 10)
    store_in_clear(engine, "T3", "xoxb-T3-7", now - 10)

    with serve_app(oauth_config, db, engine) as base_url:
        SlackSender(url=base_url + SLACK_EVENTS_PATH, fake=fake_slack_api).command("", team_id="T2")
        [opened] = fake_slack_api.wait_for("views.open")

    assert opened.token == "xoxb-T2-7"
    rows = stored_rows(engine)
    assert "xoxb-" not in str(rows) and "xoxe-" not in str(rows)
    latest = {(r["table"], r["team_id"]): CIPHER.open(r["bot_token"]) for r in rows if r["bot_token"]}
    assert latest == {
        ("slack_installations", "T2"): "xoxb-T2-7",
        ("slack_installations", "T3"): "xoxb-T3-7",
        ("slack_bots", "T2"): "xoxb-T2-7",
        ("slack_bots", "T3"): "xoxb-T3-7",
    }
    assert sum(1 for r in rows if r["bot_token"] is None and r["bot_refresh_token"] is None) == 2  # T2's old rows


def test_with_another_reporter_key_a_stored_token_is_not_used_and_the_workspace_is_asked_to_reinstall(
    browser: Browser, oauth_config: Config, db: sessionmaker[Session], engine: Engine, fake_slack_api: FakeSlackApi
) -> None:
    browser.install("T2")
    rotated = replace(oauth_config, reporter_key="a-new-reporter-key")

    with serve_app(rotated, db, engine) as base_url:
        slack = SlackSender(url=base_url + SLACK_EVENTS_PATH, fake=fake_slack_api)
        reply = slack.command("a flag", team_id="T2")
        [told] = fake_slack_api.wait_for("hooks/1")

    assert reply.status == 200 and "reinstall" in told.body["text"]
    assert fake_slack_api.calls_to("views.open") == []


def test_a_long_rotating_token_fits_once_sealed(oauth_config: Config, engine: Engine) -> None:
    store = create_installation_store(oauth_config, engine)
    token = "xoxe.xoxb-1-" + "M" * 170  # rotating tokens are far longer than classic ones
    store.save(
        Installation(app_id="A1", team_id="T2", bot_token=token, bot_refresh_token="xoxe-1-" + "R" * 150, user_id="U1")
    )

    found = store.find_installation(enterprise_id=None, team_id="T2")

    assert (
        found is not None
        and found.bot_token == token
        and store.find_bot(enterprise_id=None, team_id="T2").bot_token == token
    )
