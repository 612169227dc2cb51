"""OAuth mode: when a workspace's installation lacks a scope the app now needs, its admins see so on Home, with
the reinstall link; members do not, and an installation with every scope shows nothing."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from bot.config import Config
from tests.fake_slack_api import OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET, FakeSlackApi
from tests.slack_requests import Browser, SlackSender

ADMIN, MEMBER = "U0ADMIN", "U0MEMBER"


@pytest.fixture
def oauth_config(config: Config) -> Config:
    return replace(
        config, bot_token=None, client_id=OAUTH_CLIENT_ID, client_secret=OAUTH_CLIENT_SECRET, app_url="https://df.example"
    )


@pytest.fixture(autouse=True)
def admins(fake_slack_api: FakeSlackApi) -> None:
    fake_slack_api.replies["users.info"] = lambda call: {
        "ok": True,
        "user": {"id": call.body.get("user"), "is_admin": call.body.get("user") == ADMIN},
    }


def home_of(slack: SlackSender, fake: FakeSlackApi, user_id: str) -> str:
    slack.event({"type": "app_home_opened", "user": user_id, "channel": "D1", "tab": "home", "event_ts": "1.1"})
    [call] = fake.wait_for("views.publish")
    view = call.body["view"]
    return json.dumps(json.loads(view) if isinstance(view, str) else view)


def test_an_admin_sees_the_scopes_an_old_installation_lacks_and_the_reinstall_link(
    browser: Browser, oauth_slack: SlackSender, fake_slack_api: FakeSlackApi
) -> None:
    fake_slack_api.granted_scopes = "commands,chat:write,users:read,channels:join"  # installed before the CSV download
    assert browser.install("T1").status == 200

    home = home_of(oauth_slack, fake_slack_api, ADMIN)

    assert "lacks permissions the app now needs" in home
    assert "`im:write`, `files:write`" in home and "`chat:write`" not in home
    assert "<https://df.example/slack/install|Reinstall the app>" in home


def test_a_member_sees_no_scope_notice(browser: Browser, oauth_slack: SlackSender, fake_slack_api: FakeSlackApi) -> None:
    fake_slack_api.granted_scopes = "commands,chat:write"
    assert browser.install("T1").status == 200

    assert "lacks permissions" not in home_of(oauth_slack, fake_slack_api, MEMBER)


def test_an_installation_with_every_scope_shows_no_notice(
    browser: Browser, oauth_slack: SlackSender, fake_slack_api: FakeSlackApi
) -> None:
    assert browser.install("T1").status == 200

    assert "lacks permissions" not in home_of(oauth_slack, fake_slack_api, ADMIN)


def test_an_admin_of_a_grid_workspace_sees_the_scopes_its_installation_lacks(
    browser: Browser, oauth_slack: SlackSender, fake_slack_api: FakeSlackApi
) -> None:
    from tests.slack_requests import post

    fake_slack_api.granted_scopes = "commands,chat:write"
    assert browser.finish_install(code="code-T3-grid", state=browser.start_install()["state"]).status == 200
    envelope = {
        "token": "legacy",
        "team_id": "T3",
        "enterprise_id": "E0GRID",
        "api_app_id": "A1",
        "type": "event_callback",
        "event": {"type": "app_home_opened", "user": ADMIN, "channel": "D1", "tab": "home", "event_ts": "1.1"},
        "event_id": "EvGRID1",
        "event_time": 1,
        "authorizations": [
            {"enterprise_id": "E0GRID", "team_id": "T3", "user_id": "UBOT", "is_bot": True, "is_enterprise_install": False}
        ],
    }

    post(oauth_slack.url, json.dumps(envelope), content_type="application/json")

    [call] = fake_slack_api.wait_for("views.publish")
    assert "lacks permissions the app now needs" in json.dumps(call.body)
