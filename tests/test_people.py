"""users.info answers are kept a few minutes per workspace; a rate limit is "busy", never "not an admin"."""

from __future__ import annotations

import time

import pytest
from slack_sdk import WebClient

from bot.slack.people import People, SlackBusy
from tests.fake_slack_api import FakeSlackApi


@pytest.fixture
def client(fake_slack_api: FakeSlackApi) -> WebClient:
    fake_slack_api.replies["users.info"] = lambda call: {
        "ok": True,
        "user": {"id": call.body["user"], "is_admin": call.body["user"] == "UADMIN", "profile": {"display_name": "Pat"}},
    }
    return WebClient(token="xoxb-T1-token", base_url=fake_slack_api.api_url)


def test_an_answer_is_kept_per_workspace_until_it_expires(client: WebClient, fake_slack_api: FakeSlackApi) -> None:
    now = [0.0]
    people = People(ttl=300, clock=lambda: now[0])

    first = people.get(client, team_id="T1", user_id="UADMIN")
    people.get(client, team_id="T1", user_id="UADMIN")
    people.get(client, team_id="T2", user_id="UADMIN")  # another workspace asks for itself
    now[0] = 301
    people.get(client, team_id="T1", user_id="UADMIN")

    assert first is not None and first.is_admin and first.name == "Pat"
    assert len(fake_slack_api.calls_to("users.info")) == 3


def test_a_rate_limit_is_busy_not_a_refusal(client: WebClient, fake_slack_api: FakeSlackApi) -> None:
    fake_slack_api.rate_limit("users.info", retry_after=0)

    with pytest.raises(SlackBusy):
        People().get(client, team_id="T1", user_id="UADMIN")


def test_names_stop_at_their_deadline_and_on_a_rate_limit(client: WebClient, fake_slack_api: FakeSlackApi) -> None:
    past = People().names(client, team_id="T1", user_ids=["U1", "U2"], limit=60, deadline=time.monotonic() - 1)
    fake_slack_api.rate_limit("users.info", retry_after=0)
    busy = People().names(client, team_id="T1", user_ids=["U1", "U2"], limit=60)

    assert past == {} and busy == {}
    assert len(fake_slack_api.calls_to("users.info")) == 1  # the rate-limited one; nothing asked past the deadline
