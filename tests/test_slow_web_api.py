"""Every listener answers Slack before its Web API calls finish: a slow Web API never costs the 3-second ack.

The fake Web API holds each call until the test releases it; the HTTP answer must already be back by then.
No wall-clock assertions: the order of events is the proof.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.blocks import ids
from bot.blocks.flag_modal import FlagDraft, ModalOrigin, flag_modal
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
        lambda s, f: s.interaction(submission(flag_modal(FlagDraft(), ORIGIN_MESSAGE), {ids.SUMMARY_BLOCK: "held"})),
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

        assert reply.status == 200
        assert not release.is_set()
        fake_slack_api.wait_for(method)  # the call was made, and is held right now
    finally:
        release.set()
