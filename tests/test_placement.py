"""Where a request belongs: the workspace the person acted in, read from where Slack puts it for org-wide installs."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

import pytest
from slack_bolt import BoltContext
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.blocks import ids
from bot.db.models import Flag, ReporterPreference
from bot.slack.placement import place_in_workspace
from tests.fake_slack_api import FakeSlackApi
from tests.slack_requests import SlackSender
from tests.views import block_action


def placed(body: dict, **context: object) -> tuple[str | None, str | None]:
    bolt_context = BoltContext(context)
    return place_in_workspace(body, bolt_context), bolt_context.team_id


def test_an_org_wide_event_whose_authorization_names_no_workspace_is_placed_by_its_context_team_id() -> None:
    body = {"authorizations": [{"enterprise_id": "E0GRID", "team_id": None}], "context_team_id": "T0ALPHA"}

    assert placed(body, is_enterprise_install=True, enterprise_id="E0GRID") == ("T0ALPHA", "T0ALPHA")


def test_an_org_id_is_never_taken_for_a_workspace() -> None:
    # Bolt reads a view's app_installed_team_id first; the org's own id is no workspace to file a flag under.
    body = {"team": None, "user": {"id": "W1", "team_id": "T0BETA"}, "view": {"app_installed_team_id": "E0GRID"}}

    assert placed(body, is_enterprise_install=True, team_id="E0GRID") == ("T0BETA", "T0BETA")


def test_an_org_wide_payload_that_names_no_workspace_is_placed_nowhere() -> None:
    body = {"team": None, "user": {"id": "W1"}, "enterprise": {"id": "E0GRID"}, "team_id": "E0GRID"}

    assert placed(body, is_enterprise_install=True, team_id="E0GRID") == (None, None)


def test_a_workspace_installs_request_keeps_the_workspace_bolt_read() -> None:
    body = {"team": {"id": "T1"}, "user": {"id": "U1", "team_id": "TEXT0"}}  # a Slack Connect partner's user

    assert placed(body, is_enterprise_install=False, team_id="T1") == ("T1", "T1")


# Slack's user ids are U… (W… in an Enterprise Grid org). Anything else in a signed payload is nobody: the request is
# answered, and nothing is filed, hashed, looked up or published under it (PostgreSQL would refuse the NUL outright).
NOT_SLACK_USERS = ["U1\x00", "u1", "", "U1 <!channel>", "B0BOT"]


@pytest.mark.parametrize("user_id", NOT_SLACK_USERS)
def test_a_click_from_an_id_slack_never_sends_is_answered_and_touches_nothing(
    slack: SlackSender,
    fake_slack_api: FakeSlackApi,
    db: sessionmaker[Session],
    after_ack_pool: ThreadPoolExecutor,
    caplog: pytest.LogCaptureFixture,
    user_id: str,
) -> None:
    switch = block_action(ids.OUTCOME_DMS_ACTION, "", user_id=user_id, from_home=True)
    switch["actions"] = [
        {"type": "checkboxes", "action_id": ids.OUTCOME_DMS_ACTION, "block_id": "b", "selected_options": []}
    ]

    assert slack.interaction(switch).status == 200
    after_ack_pool.shutdown(wait=True)

    with db() as session:
        assert session.scalar(select(func.count()).select_from(ReporterPreference)) == 0
    assert fake_slack_api.calls_to("views.publish") == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


@pytest.mark.parametrize("user_id", NOT_SLACK_USERS)
def test_a_command_from_an_id_slack_never_sends_is_answered_and_stores_nothing(
    slack: SlackSender, db: sessionmaker[Session], caplog: pytest.LogCaptureFixture, user_id: str
) -> None:
    reply = slack.command("ship billing by Friday", user_id=user_id)

    assert reply.status == 200
    with db() as session:
        assert session.scalar(select(func.count()).select_from(Flag)) == 0
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
