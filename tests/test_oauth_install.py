"""OAuth mode: installs through Bolt's flow into slack_sdk's stores, then each workspace is served with its own token."""

from __future__ import annotations

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Config
from bot.db import flags as flag_store
from bot.db.slack_stores import BOTS, INSTALLATIONS, OAUTH_STATES, TokenCipher
from bot.slack.scopes import BOT_SCOPES
from bot.slack.tokens import InstalledWorkspaces, workspaces_for
from tests.fake_slack_api import OAUTH_CLIENT_ID, FakeSlackApi
from tests.slack_requests import Browser, SlackSender, get

CIPHER = TokenCipher(b"test-reporter-key")  # the settings fixture's REPORTER_KEY: tokens are stored sealed


def test_install_page_links_to_slack_with_client_id_scopes_and_a_state(browser: Browser, engine: Engine) -> None:
    query = browser.start_install()

    assert query["client_id"] == OAUTH_CLIENT_ID
    assert query["scope"].split(",") == list(BOT_SCOPES)
    assert query["state"]
    assert browser.cookies["slack-app-oauth-state"] == query["state"]  # the browser that started must finish
    with engine.connect() as connection:  # in the database, so any web process can finish the install
        assert connection.scalar(select(OAUTH_STATES.c.state)) == query["state"]


def test_redirect_with_code_stores_the_installation_from_oauth_v2_access(
    browser: Browser, fake_slack_api: FakeSlackApi, engine: Engine
) -> None:
    state = browser.start_install()["state"]

    reply = browser.finish_install(code="code-T2", state=state)

    assert reply.status == 200, reply.text
    [exchange] = fake_slack_api.calls_to("oauth.v2.access")  # on SLACK_API_URL, never slack.com
    assert exchange.body["code"] == "code-T2"
    with engine.connect() as connection:
        installation = connection.execute(select(INSTALLATIONS)).mappings().one()
    assert (installation["team_id"], CIPHER.open(installation["bot_token"]), installation["client_id"]) == (
        "T2",
        "xoxb-T2-1",
        OAUTH_CLIENT_ID,
    )


def test_a_command_from_an_installed_workspace_is_served_with_that_workspaces_token(
    browser: Browser, oauth_slack: SlackSender, fake_slack_api: FakeSlackApi
) -> None:
    browser.install("T2")

    reply = oauth_slack.command("", team_id="T2")  # no text: opens the flag form

    assert reply.status == 200
    [opened] = fake_slack_api.wait_for("views.open")
    assert opened.headers["authorization"] == "Bearer xoxb-T2-1"


def test_two_workspaces_side_by_side_each_get_their_own_token_and_their_own_flags(
    browser: Browser, oauth_app_url: str, oauth_slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    browser.install("T2")
    Browser(oauth_app_url).install("T3")  # another admin, another browser

    oauth_slack.command("", team_id="T2")
    oauth_slack.command("", team_id="T3")
    oauth_slack.command("T2's roadmap date", team_id="T2")
    oauth_slack.command("T3's feature order", team_id="T3")

    tokens = sorted(call.token or "" for call in fake_slack_api.wait_for("views.open", 2))
    assert tokens == ["xoxb-T2-1", "xoxb-T3-1"]
    with db() as session:
        assert [f.summary for f in flag_store.list_flags(session, team_id="T2")] == ["T2's roadmap date"]
        assert [f.summary for f in flag_store.list_flags(session, team_id="T3")] == ["T3's feature order"]


def test_a_command_from_a_workspace_that_never_installed_is_refused_without_a_token(
    oauth_slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    reply = oauth_slack.command("a flag from nowhere", team_id="T9")

    assert reply.status == 200
    [told] = fake_slack_api.wait_for("hooks/1")  # Bolt answers through response_url: please reinstall
    assert "reinstall" in told.body["text"]
    assert fake_slack_api.calls_to("views.open") == []
    with db() as session:
        assert flag_store.list_flags(session, team_id="T9") == []


def test_a_made_up_state_is_refused_and_nothing_is_installed(
    browser: Browser, fake_slack_api: FakeSlackApi, engine: Engine
) -> None:
    browser.start_install()

    reply = browser.finish_install(code="code-T2", state="not-a-state-we-issued")

    assert reply.status == 400  # the state does not match this browser's cookie
    assert fake_slack_api.calls_to("oauth.v2.access") == []
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(INSTALLATIONS)) == 0


def test_a_state_cannot_be_used_twice(browser: Browser, fake_slack_api: FakeSlackApi, engine: Engine) -> None:
    state = browser.start_install()["state"]
    assert browser.finish_install(code="code-T2", state=state).status == 200
    browser.cookies["slack-app-oauth-state"] = state  # a replay, cookie and all

    reply = browser.finish_install(code="code-T3", state=state)

    assert reply.status == 401
    assert len(fake_slack_api.calls_to("oauth.v2.access")) == 1
    with engine.connect() as connection:
        assert connection.scalars(select(INSTALLATIONS.c.team_id)).all() == ["T2"]


def test_install_routes_do_not_exist_in_single_workspace_mode(app_url: str) -> None:
    assert get(app_url + "/slack/install").status == 404


def test_client_for_serves_each_installed_workspace_with_its_own_token(
    browser: Browser, oauth_config: Config, engine: Engine
) -> None:
    browser.install("T2")
    browser.install("T3")
    workspaces = workspaces_for(oauth_config, engine)

    assert isinstance(workspaces, InstalledWorkspaces)
    assert workspaces.team_ids() == ["T2", "T3"]
    assert workspaces.client_for("T3").token == "xoxb-T3-1"
    assert workspaces.client_for("T2").base_url == oauth_config.slack_api_url


def test_the_bots_table_holds_one_row_per_install(browser: Browser, engine: Engine) -> None:
    browser.install("T2")

    with engine.connect() as connection:
        assert [CIPHER.open(token) for token in connection.scalars(select(BOTS.c.bot_token))] == ["xoxb-T2-1"]


def test_a_flag_is_stored_from_the_installation_alone_while_auth_test_fails(
    browser: Browser, oauth_slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    browser.install("T2")  # Bolt's install flow calls auth.test once, for the bot id it stores
    at_install = len(fake_slack_api.calls_to("auth.test"))
    fake_slack_api.fail("auth.test", status=500, times=100)

    reply = oauth_slack.command("Ship search by Friday", team_id="T2")

    assert reply.status == 200
    assert "Ship search by Friday" in reply.text  # the receipt is the answer itself
    assert len(fake_slack_api.calls_to("auth.test")) == at_install
    with db() as session:
        assert [f.summary for f in flag_store.list_flags(session, team_id="T2")] == ["Ship search by Friday"]


def test_a_hanging_auth_test_does_not_hold_the_answer(
    browser: Browser, oauth_slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    import time

    browser.install("T2")
    release = fake_slack_api.hold("auth.test")
    try:
        started = time.monotonic()
        reply = oauth_slack.command("Ship search by Friday", team_id="T2")
        answered_in = time.monotonic() - started
    finally:
        release.set()

    assert reply.status == 200
    assert answered_in < 3  # Slack's limit
    with db() as session:
        assert len(flag_store.list_flags(session, team_id="T2")) == 1


def test_a_request_carries_the_bot_ids_oauth_stored(browser: Browser, oauth_config: Config, engine: Engine) -> None:
    from slack_bolt import BoltContext

    browser.install("T2")
    authorize = InstalledWorkspaces(oauth_config, workspaces_for(oauth_config, engine).store).bolt_authorize()

    result = authorize(context=BoltContext(), enterprise_id=None, team_id="T2", user_id="U1")

    assert result is not None
    with engine.connect() as connection:
        stored = connection.execute(select(BOTS.c.bot_id, BOTS.c.bot_user_id).where(BOTS.c.team_id == "T2")).one()
    assert (result.bot_id, result.bot_user_id, result.bot_token) == (stored.bot_id, stored.bot_user_id, "xoxb-T2-1")
    assert result.bot_user_id  # Bolt drops the app's own events by it
    assert authorize(context=BoltContext(), enterprise_id=None, team_id="T9", user_id="U1") is None
