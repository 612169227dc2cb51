"""Replies go through a payload's response_url only when it is Slack's (or the configured SLACK_API_URL's host):
whoever holds the signing secret could otherwise have receipts, with their flag text, posted anywhere."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.blocks import ids
from bot.slack.web import is_slack_response_url
from tests.fake_slack_api import FakeSlackApi, start_fake_slack_api
from tests.slack_requests import SlackSender
from tests.views import block_action, message_shortcut, opened_view, submission


@pytest.fixture
def elsewhere() -> Iterator[FakeSlackApi]:
    """Another local server, on another loopback address: a host that is not Slack's and not SLACK_API_URL's."""
    fake, server = start_fake_slack_api(host="127.0.0.2")
    yield fake
    server.shutdown()
    server.server_close()


def test_a_refusal_is_not_posted_to_a_response_url_outside_slack_but_sent_as_a_dm(
    slack: SlackSender, fake_slack_api: FakeSlackApi, elsewhere: FakeSlackApi
) -> None:
    receipt = slack.command("mine", user_id="U1").json()
    [actions] = [b for b in receipt["blocks"] if b["type"] == "actions"]
    flag_id = next(e["value"] for e in actions["elements"] if e["action_id"] == ids.EDIT_FLAG_ACTION)

    slack.interaction(block_action(ids.EDIT_FLAG_ACTION, flag_id, user_id="U2", response_url=elsewhere.response_url("x")))

    [dm] = fake_slack_api.wait_for("chat.postMessage")
    assert dm.body["channel"] == "U2" and "Only the person who flagged this" in dm.body["text"]
    assert elsewhere.calls == []


def test_a_receipt_is_not_posted_to_a_response_url_outside_slack(
    slack: SlackSender, fake_slack_api: FakeSlackApi, elsewhere: FakeSlackApi
) -> None:
    message = {"type": "message", "user": "U0PM", "ts": "1700000000.000100", "text": "Export by Friday"}
    slack.interaction(message_shortcut(message, response_url=elsewhere.response_url("hooks/shortcut")))
    [opened] = fake_slack_api.wait_for("views.open")

    slack.interaction(submission(opened_view(opened)))

    [dm] = fake_slack_api.wait_for("chat.postMessage")
    assert dm.body["channel"] == "U1" and "Export by Friday" in str(dm.body)
    assert elsewhere.calls == []


def test_bolt_does_not_post_its_reinstall_notice_to_a_response_url_outside_slack(
    oauth_slack: SlackSender, fake_slack_api: FakeSlackApi, elsewhere: FakeSlackApi
) -> None:
    forger = SlackSender(url=oauth_slack.url, fake=fake_slack_api, response_url=elsewhere.response_url("x"))

    reply = forger.command("a flag from nowhere", team_id="T9")  # not installed: Bolt answers by itself

    assert reply.status == 200 and "reinstall" in reply.text  # in the HTTP answer instead
    assert elsewhere.calls == []


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://hooks.slack.com/commands/T1/1/abc", True),
        ("https://hooks.slack.com:443/actions/T1/1/abc", True),
        ("https://slack.com/x", True),
        ("https://api.slack-gov.com/x", False),
        ("http://hooks.slack.com/commands/T1/1/abc", False),  # not https
        ("https://hooks.slack.com:8443/x", False),
        ("https://hooks.slack.com.evil.example/x", False),
        ("https://evilslack.com/x", False),
        ("https://hooks.slack.com@evil.example/x", False),
        ("https://evil.example@hooks.slack.com/x", False),  # credentials have no place in a response_url
        ("https://evil.example/?https://hooks.slack.com/", False),
        ("http://127.0.0.1:8888/hooks/1", True),  # the configured SLACK_API_URL's scheme and host
        ("http://127.0.0.1:9999/hooks/1", True),  # any port of it: the operator's host, as hooks.slack.com is Slack's
        ("http://127.0.0.2:8888/hooks/1", False),
        ("https://127.0.0.1:8888/hooks/1", False),
        ("http://127.0.0.1:notaport/hooks/1", False),
        ("not a url", False),
        ("http://[::1/hooks/1", False),  # urlsplit refuses it
    ],
)
def test_only_slacks_hosts_and_the_configured_api_host_take_replies(url: str, allowed: bool) -> None:
    assert is_slack_response_url(url, api_url="http://127.0.0.1:8888/api/") is allowed
