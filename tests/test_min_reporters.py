"""A workspace's minimum of different reporters (`min_reporters`, default 3, 1 = off, up to 10): set by admins in the
Home tab's settings form or with `settings set --min-reporters N`, printed by `settings show`, checked once."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from bot.blocks import ids
from bot.db.migrate import alembic_config
from bot.domain.export import export_rows
from bot.domain.holding import OFF_WARNING, effective_min_reporters
from bot.domain.workspace_settings import change_settings
from tests.fake_slack_api import FakeSlackApi
from tests.slack_requests import SlackSender
from tests.test_cli import clean_env, run_bot
from tests.test_digest_settings_home import ADMIN, field, home_for, open_settings
from tests.views import submission


@pytest.fixture(autouse=True)
def admins(fake_slack_api: FakeSlackApi) -> None:
    fake_slack_api.replies["users.info"] = lambda call: {
        "ok": True,
        "user": {"id": call.body["user"], "is_admin": call.body["user"] == ADMIN, "is_owner": False},
    }


def test_the_settings_form_opens_with_the_current_minimum(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    change_settings(db, team_id="T1", now=datetime.now(UTC), default_channel=None, min_reporters=5)

    view = open_settings(slack, fake_slack_api)

    element = field(view, ids.MIN_REPORTERS_BLOCK)["element"]
    assert (element["initial_value"], element["min_value"], element["max_value"]) == ("5", "1", "10")  # not the default 3


def test_an_admin_sets_the_minimum_in_the_settings_form_and_home_says_it(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    view = open_settings(slack, fake_slack_api)

    reply = slack.interaction(submission(view, {ids.MIN_REPORTERS_BLOCK: "4"}, user_id=ADMIN))

    assert reply.status == 200 and reply.text == ""
    [home] = fake_slack_api.wait_for("views.publish")
    assert "Anonymous flags are shown once 4 different people have flagged." in json.dumps(home.body)
    assert effective_min_reporters(db, team_id="T1") == 4
    assert effective_min_reporters(db, team_id="T2") == 3


@pytest.mark.parametrize("people", ["0", "11", "2.5", "three", "", "²"])
def test_a_minimum_that_is_not_1_to_10_whole_people_is_an_error_beside_the_field(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session], people: str
) -> None:
    view = open_settings(slack, fake_slack_api)

    reply = slack.interaction(submission(view, {ids.MIN_REPORTERS_BLOCK: people, ids.RETENTION_BLOCK: "90"}, user_id=ADMIN))

    assert list(reply.json()["errors"]) == [ids.MIN_REPORTERS_BLOCK]
    assert "from 1 (off" in reply.json()["errors"][ids.MIN_REPORTERS_BLOCK]
    assert effective_min_reporters(db, team_id="T1") == 3


def test_turning_holding_off_in_the_form_tells_the_admin_what_it_gives_up(
    slack: SlackSender, fake_slack_api: FakeSlackApi
) -> None:
    view = open_settings(slack, fake_slack_api)

    slack.interaction(submission(view, {ids.MIN_REPORTERS_BLOCK: "1"}, user_id=ADMIN))

    [warning] = fake_slack_api.wait_for("chat.postMessage")
    assert warning.body["channel"] == ADMIN
    assert OFF_WARNING in json.dumps(warning.body)
    assert "Anonymous flags are shown at once" in home_for(slack, fake_slack_api, ADMIN)


def test_settings_set_min_reporters_is_stored_and_shown(tmp_path: Path, database_url: str) -> None:
    env = clean_env(DATABASE_URL=database_url)

    changed = run_bot("settings", "set", "--team", "T1", "--min-reporters", "5", env=env, cwd=tmp_path)
    shown = run_bot("settings", "show", "--team", "T1", env=env, cwd=tmp_path)

    assert changed.returncode == 0, changed.stderr
    assert changed.stderr == ""  # no warning above 1
    assert "T1: min reporters 5 (anonymous flags held until 5 different people have flagged)" in shown.stdout.splitlines()


def test_settings_set_min_reporters_1_warns_what_it_gives_up(tmp_path: Path, database_url: str) -> None:
    env = clean_env(DATABASE_URL=database_url)

    changed = run_bot("settings", "set", "--team", "T1", "--min-reporters", "1", env=env, cwd=tmp_path)

    assert changed.returncode == 0
    assert changed.stderr.strip() == f"deadline-flag: warning: {OFF_WARNING}"
    assert "T1: min reporters 1 (holding off: anonymous flags shown at once)" in changed.stdout.splitlines()


@pytest.mark.parametrize("people", ["0", "11"])
def test_settings_set_refuses_a_minimum_outside_1_to_10_and_saves_nothing(
    tmp_path: Path, database_url: str, db: sessionmaker[Session], people: str
) -> None:
    env = clean_env(DATABASE_URL=database_url)

    refused = run_bot("settings", "set", "--team", "T1", "--min-reporters", people, "--hour", "7", env=env, cwd=tmp_path)

    assert refused.returncode == 2
    assert "from 1 (off: every flag shown at once) to 10" in refused.stderr
    assert effective_min_reporters(db, team_id="T1") == 3
    assert "every mon at 09:00" in run_bot("settings", "show", "--team", "T1", env=env, cwd=tmp_path).stdout


def test_settings_set_help_describes_min_reporters(tmp_path: Path) -> None:
    shown = run_bot("settings", "set", "--help", env=clean_env(), cwd=tmp_path)

    assert "--min-reporters N" in shown.stdout
    assert "1 turns holding off" in " ".join(shown.stdout.split())


def test_flags_stored_before_holding_count_as_released(database_url: str, engine: Engine) -> None:
    config = alembic_config(database_url)
    command.downgrade(config, "0011")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO flags (team_id, number, category, summary, reporter_hash, reporter_named, status, created_at)"
                " VALUES ('T1', 1, 'other', 'from before', 'h', false, 'open', '2026-11-01 10:00:00')"
            )
        )

    command.upgrade(config, "head")

    rows = export_rows(sessionmaker(engine), team_id="T1")  # what leads see
    assert [(row["number"], row["summary"], row["released_on"]) for row in rows] == [("1", "from before", "2026-11-01")]
