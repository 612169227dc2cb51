"""Every listener answers Slack before its Web API calls finish: a slow Web API never costs the 3-second ack.

The fake Web API holds each call until the test releases it; the HTTP answer must already be back by then.
No wall-clock assertions: the order of events is the proof.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.blocks import ids
from bot.blocks.flag_modal import FlagDraft, flag_modal
from bot.blocks.origin import ModalOrigin
from tests.clauses import STORED_DEFAULT
from tests.fake_slack_api import FakeSlackApi
from tests.slack_requests import Reply, SlackSender
from tests.views import block_action, message_shortcut, submission


def flag_id(slack: SlackSender) -> str:
    receipt = slack.command("ship it").json()
    [actions] = [b for b in receipt["blocks"] if b["type"] == "actions"]
    return actions["elements"][0]["value"]


ORIGIN_MESSAGE = ModalOrigin(channel_id="C1", message_ts="1.1")
SURFACES: dict[str, tuple[str, Callable[[SlackSender, FakeSlackApi], Reply]]] = {
    "command opening the modal": ("views.open", lambda s, f: s.command("")),
    "message shortcut": (
        "views.open",
        lambda s, f: s.interaction(message_shortcut({"ts": "1.1", "text": "x", "user": "U9"})),
    ),
    "home button": ("views.open", lambda s, f: s.interaction(block_action(ids.NEW_FLAG_ACTION, "", from_home=True))),
    "edit button": ("views.open", lambda s, f: s.interaction(block_action(ids.EDIT_FLAG_ACTION, flag_id(s)))),
    "withdraw from home": (
        "views.publish",
        lambda s, f: s.interaction(block_action(ids.WITHDRAW_FLAG_ACTION, flag_id(s), from_home=True)),
    ),
    "app_home_opened": ("views.publish", lambda s, f: s.event({"type": "app_home_opened", "user": "U1", "tab": "home"})),
    "modal submission with permalink and receipt": (
        "chat.getPermalink",
        lambda s, f: s.interaction(
            submission(flag_modal(FlagDraft(), ORIGIN_MESSAGE, STORED_DEFAULT), {ids.SUMMARY_BLOCK: "held"})
        ),
    ),
}


@pytest.mark.parametrize("surface", list(SURFACES))
def test_the_http_answer_comes_back_while_the_web_api_call_is_still_held(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session], surface: str
) -> None:
    method, send = SURFACES[surface]
    release = fake_slack_api.hold(method)
    try:
        reply = send(slack, fake_slack_api)

        # A held call answers only once `release` is set, below: a listener that waited on it would not have
        # answered within the request's timeout.
        assert reply.status == 200
        fake_slack_api.wait_for(method)  # the call was made, and is held right now
    finally:
        release.set()


def test_a_modal_opens_at_once_while_status_clicks_wait_on_a_stuck_users_info(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    fid = int(flag_id(slack))
    stuck = fake_slack_api.hold("users.info")  # is this lead an admin? Slack does not say
    try:
        for _ in range(10):  # more clicks than the after-ack pool has threads
            slack.interaction(
                {
                    **block_action(ids.FLAG_STATUS_ACTION, "", user_id="U2", from_home=True),
                    "actions": [
                        {
                            "type": "overflow",
                            "action_id": ids.FLAG_STATUS_ACTION,
                            "block_id": "x",
                            "selected_option": {"value": f"{fid}:discussed"},
                        }
                    ],
                }
            )
        fake_slack_api.wait_for("users.info", count=8)  # every after-ack thread is stuck now

        slack.command("")  # the trigger_id lives 3 seconds

        fake_slack_api.wait_for("views.open", timeout=3)
    finally:
        stuck.set()


def test_a_views_open_slower_than_its_trigger_is_given_up_once_and_the_user_told(
    slack: SlackSender, fake_slack_api: FakeSlackApi
) -> None:
    fake_slack_api.delays["views.open"] = 4  # past the trigger's 3 seconds: Slack would refuse it anyway

    slack.command("")

    [told] = fake_slack_api.wait_for("hooks/1", timeout=5)  # the command's response_url
    assert "did not open the form" in told.body["text"]
    assert len(fake_slack_api.calls_to("views.open")) == 1  # no retry past the trigger's life
