"""The Web API stand-in refuses what Slack refuses (../shared/SLACK_REALITY.md), through slack_sdk's own client:
each rule is shown to bite, so a test that passes against the stand-in would pass against Slack."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from tests.fake_slack_api import FakeSlackApi, start_fake_slack_api


@pytest.fixture
def fake() -> Iterator[FakeSlackApi]:
    fake, server = start_fake_slack_api()
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def client(fake: FakeSlackApi) -> WebClient:
    return WebClient(token="xoxb-T1-token", base_url=fake.api_url)


def error_of(call) -> str | None:  # type: ignore[no-untyped-def]
    try:
        call()
    except SlackApiError as error:
        return error.response["error"]
    return None


def section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def modal(**fields: object) -> dict:
    return {"type": "modal", "title": {"type": "plain_text", "text": "A form"}, "blocks": [section("hi")], **fields}


def test_a_message_whose_blocks_hold_more_than_12000_characters_in_all_is_refused(client: WebClient) -> None:
    fits = [section("x" * 2900)] * 4  # 11,600
    too_long = [section("x" * 2900)] * 5  # 14,500, every block within its own limit

    assert error_of(lambda: client.chat_postMessage(channel="C1", text="t", blocks=fits)) is None
    assert error_of(lambda: client.chat_postMessage(channel="C1", text="t", blocks=too_long)) == "msg_blocks_too_long"


@pytest.mark.parametrize(
    "blocks",
    [
        [section("x" * 3001)],
        [section("")],
        [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}],
        [{"type": "section", "text": {"type": "plain_text", "text": "x", "verbatim": True}}],
        [section("x")] * 51,
        [{"type": "actions", "elements": [{"type": "button", "text": {"type": "plain_text", "text": "b" * 76}}]}],
    ],
    ids=["section text", "empty text", "header", "verbatim on plain_text", "51 blocks", "button text"],
)
def test_blocks_past_block_kits_limits_are_refused(client: WebClient, blocks: list[dict]) -> None:
    assert error_of(lambda: client.chat_postMessage(channel="C1", text="t", blocks=blocks)) == "invalid_blocks"


def test_a_long_text_fallback_is_refused(client: WebClient) -> None:
    assert error_of(lambda: client.chat_postMessage(channel="C1", text="t" * 4001)) == "msg_too_long"


def test_a_trigger_id_opens_one_view_within_3_seconds(fake: FakeSlackApi, client: WebClient) -> None:
    fake.issue_trigger("fresh")
    fake.issue_trigger("old")
    fake.triggers["old"] -= 3.5  # issued three and a half seconds ago

    assert error_of(lambda: client.views_open(trigger_id="fresh", view=modal())) is None
    assert error_of(lambda: client.views_open(trigger_id="fresh", view=modal())) == "trigger_exchanged"
    assert error_of(lambda: client.views_open(trigger_id="old", view=modal())) == "expired_trigger_id"
    assert error_of(lambda: client.views_open(trigger_id="never-issued", view=modal())) == "invalid_trigger_id"


@pytest.mark.parametrize(
    "view",
    [
        modal(title={"type": "plain_text", "text": "t" * 25}),
        modal(private_metadata="m" * 3001),
        modal(blocks=[section("x")] * 101),
        modal(
            blocks=[
                {
                    "type": "input",
                    "label": {"type": "plain_text", "text": "l"},
                    "element": {"type": "plain_text_input", "action_id": "a", "max_length": 3001},
                }
            ]
        ),
    ],
    ids=["title", "private_metadata", "101 blocks", "max_length"],
)
def test_views_past_their_limits_are_refused(fake: FakeSlackApi, client: WebClient, view: dict) -> None:
    fake.issue_trigger("t")

    assert error_of(lambda: client.views_open(trigger_id="t", view=view)) == "invalid_arguments"


def test_chat_update_needs_a_message_the_app_posted_and_that_still_exists(fake: FakeSlackApi, client: WebClient) -> None:
    ts = client.chat_postMessage(channel="C1", text="mine")["ts"]
    fake.post_as_someone_else("C1", "1.000002")

    assert error_of(lambda: client.chat_update(channel="C1", ts=ts, text="edited")) is None
    assert error_of(lambda: client.chat_update(channel="C1", ts="1.000002", text="x")) == "cant_update_message"
    fake.delete_message("C1", ts)
    assert error_of(lambda: client.chat_update(channel="C1", ts=ts, text="x")) == "message_not_found"


def test_posting_where_the_bot_cannot_is_refused_as_slack_does(fake: FakeSlackApi, client: WebClient) -> None:
    fake.add_channel("C0OUT", is_member=False)
    fake.add_channel("G0SECRET", is_private=True, is_member=False)
    fake.add_channel("C0OLD", is_archived=True)

    assert error_of(lambda: client.chat_postMessage(channel="C0OUT", text="t")) == "not_in_channel"
    assert error_of(lambda: client.chat_postMessage(channel="G0SECRET", text="t")) == "channel_not_found"
    assert error_of(lambda: client.chat_postMessage(channel="C0OLD", text="t")) == "is_archived"
    assert error_of(lambda: client.chat_postMessage(channel="C0NOWHERE", text="t")) == "channel_not_found"
    assert error_of(lambda: client.conversations_join(channel="G0SECRET")) == "method_not_supported_for_channel_type"
    assert error_of(lambda: client.conversations_join(channel="C0OUT")) is None
    assert error_of(lambda: client.chat_postMessage(channel="C0OUT", text="t")) is None  # joined now


def test_a_response_url_takes_5_posts_within_30_minutes(fake: FakeSlackApi) -> None:
    hook = WebhookClient(fake.response_url("hooks/five"))
    stale = WebhookClient(fake.response_url("hooks/stale"))
    fake.response_urls["hooks/stale"][0] -= 31 * 60

    statuses = [hook.send(text="t").status_code for _ in range(6)]

    assert statuses == [200] * 5 + [404]
    assert stale.send(text="t").status_code == 404


def test_a_rate_limit_answers_429_with_retry_after(fake: FakeSlackApi) -> None:
    fake.rate_limit("users.info", retry_after=7)
    client = WebClient(token="xoxb-T1-token", base_url=fake.api_url)  # no retry handler: see the 429 itself

    with pytest.raises(SlackApiError) as refused:
        client.users_info(user="U1")

    assert refused.value.response.status_code == 429
    assert refused.value.response.headers["Retry-After"] == "7"


def test_an_org_wide_install_is_answered_with_the_org_and_no_workspace(fake: FakeSlackApi) -> None:
    from tests.fake_slack_api import OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET

    grant = WebClient(base_url=fake.api_url).oauth_v2_access(
        client_id=OAUTH_CLIENT_ID, client_secret=OAUTH_CLIENT_SECRET, code="code-E0GRID-org"
    )

    assert (grant["team"], grant["enterprise"]["id"], grant["is_enterprise_install"]) == (None, "E0GRID", True)
    identity = WebClient(token=grant["access_token"], base_url=fake.api_url).auth_test()
    assert (identity["enterprise_id"], identity["is_enterprise_install"]) == ("E0GRID", True)
    assert "team_id" not in identity.data  # an org-level token belongs to no single workspace
