"""Token rotation: an expiring bot token is refreshed before use, on a request (Bolt) as off one (client_for), and
the new token and refresh token are saved in the installation store for every process to find."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select, update

from bot.config import Config
from bot.db.slack_stores import BOTS, INSTALLATIONS, TokenCipher
from bot.slack.tokens import workspaces_for
from tests.fake_slack_api import FakeSlackApi
from tests.slack_requests import Browser, SlackSender


def expire_soon(engine: Engine, team_id: str, minutes: int = 5) -> None:
    """Move the stored token's expiry close, as time would (naive UTC, as slack_sdk stores it)."""
    expires_at = (datetime.now(UTC) + timedelta(minutes=minutes)).replace(tzinfo=None)
    with engine.begin() as connection:
        for table in (INSTALLATIONS, BOTS):
            connection.execute(update(table).where(table.c.team_id == team_id).values(bot_token_expires_at=expires_at))


def stored_tokens(engine: Engine, team_id: str) -> tuple[str, str]:
    with engine.connect() as connection:
        row = connection.execute(
            select(INSTALLATIONS.c.bot_token, INSTALLATIONS.c.bot_refresh_token)
            .where(INSTALLATIONS.c.team_id == team_id)
            .order_by(INSTALLATIONS.c.installed_at.desc())
        ).first()
    assert row is not None
    cipher = TokenCipher(b"test-reporter-key")  # the settings fixture's REPORTER_KEY: tokens are stored sealed
    return cipher.open(row[0]) or "", cipher.open(row[1]) or ""


def test_an_install_with_rotation_stores_the_refresh_token(browser: Browser, engine: Engine) -> None:
    browser.install("T2", rotating=True)

    assert stored_tokens(engine, "T2") == ("xoxb-T2-1", "xoxe-1-T2-1")


def test_client_for_refreshes_an_expiring_token_and_saves_the_new_one(
    browser: Browser, oauth_config: Config, engine: Engine, fake_slack_api: FakeSlackApi
) -> None:
    browser.install("T2", rotating=True)
    expire_soon(engine, "T2")
    workspaces = workspaces_for(oauth_config, engine)

    client = workspaces.client_for("T2")

    assert client.token == "xoxb-T2-2"
    [refresh] = [c for c in fake_slack_api.calls_to("oauth.v2.access") if c.body.get("grant_type") == "refresh_token"]
    assert refresh.body["refresh_token"] == "xoxe-1-T2-1"  # sent to SLACK_API_URL: the fake saw it
    assert stored_tokens(engine, "T2") == ("xoxb-T2-2", "xoxe-1-T2-2")
    assert workspaces.client_for("T2").token == "xoxb-T2-2"  # fresh for 12 hours now: no second refresh
    assert len(fake_slack_api.calls_to("oauth.v2.access")) == 2  # the install's, and one refresh


def test_client_for_leaves_a_token_far_from_expiry_alone(
    browser: Browser, oauth_config: Config, engine: Engine, fake_slack_api: FakeSlackApi
) -> None:
    browser.install("T2", rotating=True)

    assert workspaces_for(oauth_config, engine).client_for("T2").token == "xoxb-T2-1"
    assert len(fake_slack_api.calls_to("oauth.v2.access")) == 1  # the install's only


def test_a_request_with_an_expiring_token_is_served_with_a_refreshed_one(
    browser: Browser, oauth_slack: SlackSender, engine: Engine, fake_slack_api: FakeSlackApi
) -> None:
    browser.install("T2", rotating=True)
    expire_soon(engine, "T2")

    oauth_slack.command("", team_id="T2")

    [opened] = fake_slack_api.wait_for("views.open")
    assert opened.token == "xoxb-T2-2"
    assert stored_tokens(engine, "T2") == ("xoxb-T2-2", "xoxe-1-T2-2")


def test_a_grid_workspace_installation_is_found_by_its_team_alone_for_work_without_a_request(
    browser: Browser, oauth_config: Config, engine: Engine, db, fake_slack_api: FakeSlackApi
) -> None:
    from bot.flows.digest import send_digest

    browser.finish_install(code="code-T3-grid", state=browser.start_install()["state"])
    with engine.connect() as connection:
        assert connection.execute(select(BOTS.c.enterprise_id).where(BOTS.c.team_id == "T3")).scalar() == "E0GRID"
    workspaces = workspaces_for(oauth_config, engine)

    assert workspaces.client_for("T3").token == "xoxb-T3-1"
    result = send_digest(db, workspaces, team_id="T3", default_channel="C0LEADS", now=datetime.now(UTC))
    assert result.status == "posted", result.detail


def test_a_failed_refresh_of_a_token_not_yet_expired_still_serves_the_request(
    browser: Browser, oauth_slack: SlackSender, engine: Engine, fake_slack_api: FakeSlackApi
) -> None:
    browser.install("T2", rotating=True)
    expire_soon(engine, "T2", minutes=30)  # inside the 2-hour refresh window, still valid
    fake_slack_api.fail("oauth.v2.access", status=500, times=10)

    oauth_slack.command("", team_id="T2")

    [opened] = fake_slack_api.wait_for("views.open")
    assert opened.token == "xoxb-T2-1"
    assert stored_tokens(engine, "T2") == ("xoxb-T2-1", "xoxe-1-T2-1")  # refreshed on a later request
