"""Uninstall: the tokens go at once, the workspace's data after the grace period (or at once from the CLI), and
only that workspace's; a re-install in between keeps everything."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from bot.db import flags as flag_store
from bot.db import uninstalls as uninstall_store
from bot.db.models import Base
from bot.db.slack_stores import BOTS, INSTALLATIONS
from bot.domain.uninstalls import purge_uninstalled_workspaces, purge_workspace
from tests.fake_slack_api import FakeSlackApi
from tests.slack_requests import Browser, SlackSender
from tests.test_cli import clean_env, run_bot

GRACE = timedelta(days=30)


def installed_teams(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        return set(connection.scalars(select(INSTALLATIONS.c.team_id))) | set(connection.scalars(select(BOTS.c.team_id)))


def flag_summaries(db: sessionmaker[Session], team_id: str) -> list[str]:
    with db() as session:
        return [f.summary for f in flag_store.list_flags(session, team_id=team_id)]


def two_workspaces_with_flags(browser: Browser, slack: SlackSender) -> None:
    browser.install("T2")
    browser.install("T3")
    slack.command("T2's roadmap date", team_id="T2")
    slack.command("T3's feature order", team_id="T3")


def test_app_uninstalled_deletes_that_workspaces_installation_and_schedules_its_purge(
    browser: Browser, oauth_slack: SlackSender, engine: Engine, db: sessionmaker[Session]
) -> None:
    two_workspaces_with_flags(browser, oauth_slack)

    reply = oauth_slack.event({"type": "app_uninstalled"}, team_id="T2")

    assert reply.status == 200
    assert installed_teams(engine) == {"T3"}
    with db() as session:
        assert uninstall_store.get_uninstall(session, team_id="T2") is not None
        assert uninstall_store.get_uninstall(session, team_id="T3") is None
    assert flag_summaries(db, "T2") == ["T2's roadmap date"]  # kept through the grace period


def test_a_revoked_bot_token_uninstalls_too(
    browser: Browser, oauth_slack: SlackSender, engine: Engine, db: sessionmaker[Session]
) -> None:
    two_workspaces_with_flags(browser, oauth_slack)

    oauth_slack.event({"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["UBOT"]}}, team_id="T3")

    assert installed_teams(engine) == {"T2"}
    with db() as session:
        assert uninstall_store.get_uninstall(session, team_id="T3") is not None


@pytest.mark.parametrize("tokens", [None, [], "UBOT", {"oauth": ["U1"]}])
def test_tokens_revoked_without_a_bot_token_keeps_the_installation_and_logs_no_error(
    browser: Browser, oauth_slack: SlackSender, engine: Engine, caplog: pytest.LogCaptureFixture, tokens: object
) -> None:
    two_workspaces_with_flags(browser, oauth_slack)

    reply = oauth_slack.event({"type": "tokens_revoked", "tokens": tokens}, team_id="T3")

    assert reply.status == 200
    assert installed_teams(engine) == {"T2", "T3"}
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


def test_after_the_grace_period_only_the_uninstalled_workspaces_data_is_purged(
    browser: Browser, oauth_slack: SlackSender, db: sessionmaker[Session]
) -> None:
    two_workspaces_with_flags(browser, oauth_slack)
    oauth_slack.event({"type": "app_uninstalled"}, team_id="T2")
    now = datetime.now(UTC)

    assert purge_uninstalled_workspaces(db, now + GRACE - timedelta(hours=1), GRACE) == []
    assert flag_summaries(db, "T2") == ["T2's roadmap date"]
    assert purge_uninstalled_workspaces(db, now + GRACE + timedelta(hours=1), GRACE) == ["T2"]

    assert flag_summaries(db, "T2") == []
    assert flag_summaries(db, "T3") == ["T3's feature order"]
    with db() as session:
        assert uninstall_store.get_uninstall(session, team_id="T2") is None  # nothing of T2 is left


def test_a_reinstall_before_the_purge_cancels_it(
    browser: Browser, oauth_slack: SlackSender, db: sessionmaker[Session]
) -> None:
    two_workspaces_with_flags(browser, oauth_slack)
    oauth_slack.event({"type": "app_uninstalled"}, team_id="T2")

    browser.install("T2")

    assert purge_uninstalled_workspaces(db, datetime.now(UTC) + 2 * GRACE, GRACE) == []
    assert flag_summaries(db, "T2") == ["T2's roadmap date"]


def test_a_command_after_uninstall_is_refused_and_stores_nothing(
    browser: Browser, oauth_slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    browser.install("T2")
    oauth_slack.event({"type": "app_uninstalled"}, team_id="T2")

    oauth_slack.command("after the uninstall", team_id="T2")

    [told] = fake_slack_api.wait_for("hooks/1")  # Bolt's own notice, through the command's response_url
    assert "reinstall" in told.body["text"]
    assert flag_summaries(db, "T2") == []


def test_purge_workspace_empties_every_table_with_a_team_id_for_that_team_only(
    db: sessionmaker[Session], engine: Engine, slack: SlackSender
) -> None:
    slack.command("T1's flag", team_id="T1")
    slack.command("T2's flag", team_id="T2")
    with db.begin() as session:
        uninstall_store.add_uninstall(session, team_id="T1", uninstalled_at=datetime.now(UTC))

    deleted = purge_workspace(db, "T1")

    team_tables = [table for table in Base.metadata.sorted_tables if "team_id" in table.columns]
    assert set(deleted) == {table.name for table in team_tables}
    with engine.connect() as connection:
        for table in team_tables:
            assert set(connection.scalars(select(table.c.team_id))) in (set(), {"T2"}), table.name
    assert flag_summaries(db, "T2") == ["T2's flag"]


def test_cli_purge_with_team_deletes_that_workspace_at_once(
    slack: SlackSender, db: sessionmaker[Session], database_url: str, tmp_path: Path
) -> None:
    slack.command("T1's flag", team_id="T1")
    slack.command("T2's flag", team_id="T2")

    result = run_bot("purge", "--team", "T1", env=clean_env(DATABASE_URL=database_url), cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert flag_summaries(db, "T1") == []
    assert flag_summaries(db, "T2") == ["T2's flag"]


def test_cli_purge_without_team_purges_only_what_is_past_the_grace_period(
    browser: Browser, oauth_slack: SlackSender, db: sessionmaker[Session], database_url: str, tmp_path: Path
) -> None:
    two_workspaces_with_flags(browser, oauth_slack)
    oauth_slack.event({"type": "app_uninstalled"}, team_id="T2")

    kept = run_bot("purge", env=clean_env(DATABASE_URL=database_url), cwd=tmp_path)  # default: 30 days
    assert kept.returncode == 0, kept.stderr
    assert flag_summaries(db, "T2") == ["T2's roadmap date"]

    purged = run_bot("purge", env=clean_env(DATABASE_URL=database_url, PURGE_AFTER_DAYS="0"), cwd=tmp_path)

    assert purged.returncode == 0, purged.stderr
    assert flag_summaries(db, "T2") == []
    assert flag_summaries(db, "T3") == ["T3's feature order"]


def test_cli_purge_with_an_empty_team_is_refused_and_deletes_nothing(
    slack: SlackSender, db: sessionmaker[Session], database_url: str, tmp_path: Path
) -> None:
    slack.command("T1's flag", team_id="T1")
    with db.begin() as session:  # past any grace period: the global purge would delete it
        uninstall_store.add_uninstall(session, team_id="T1", uninstalled_at=datetime(2020, 1, 1, tzinfo=UTC))

    result = run_bot("purge", "--team", "", env=clean_env(DATABASE_URL=database_url, PURGE_AFTER_DAYS="0"), cwd=tmp_path)

    assert result.returncode == 2
    assert "--team needs a workspace id" in result.stderr
    assert flag_summaries(db, "T1") == ["T1's flag"]


def test_cli_purge_of_an_unknown_team_says_nothing_matched_and_exits_1(
    slack: SlackSender, db: sessionmaker[Session], database_url: str, tmp_path: Path
) -> None:
    slack.command("T1's flag", team_id="T1")

    result = run_bot("purge", "--team", "TUNKNOWN", env=clean_env(DATABASE_URL=database_url), cwd=tmp_path)

    assert result.returncode == 1
    assert "nothing matched: no data for workspace TUNKNOWN" in result.stderr
    assert flag_summaries(db, "T1") == ["T1's flag"]
