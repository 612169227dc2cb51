""" "Log this request" on a message: a modal prefilled from it; the flag keeps the message's channel, ts and link,
except from a DM or group DM, whose conversation would say who flagged."""

from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.blocks import ids
from bot.db import flags as flag_store
from tests.fake_slack_api import FakeSlackApi
from tests.slack_requests import SlackSender
from tests.views import message_shortcut, opened_view, submission

MESSAGE = {"type": "message", "user": "U0PM", "ts": "1700000000.000100", "text": "We need the export feature by Friday"}


def log_message(slack: SlackSender, fake: FakeSlackApi, message: dict = MESSAGE, **kwargs) -> dict:
    reply = slack.interaction(message_shortcut(message, response_url=fake.response_url("hooks/shortcut"), **kwargs))
    assert reply.status == 200
    [call] = fake.wait_for("views.open")
    return opened_view(call)


def stored(db: sessionmaker[Session]) -> list:
    with db() as session:
        return flag_store.list_flags(session, team_id="T1")


def initial(view: dict, block_id: str, key: str) -> object:
    [block] = [b for b in view["blocks"] if b["block_id"] == block_id]
    return block["element"].get(key)


def test_shortcut_opens_the_modal_prefilled_from_the_message(slack: SlackSender, fake_slack_api: FakeSlackApi) -> None:
    view = log_message(slack, fake_slack_api)

    assert fake_slack_api.calls_to("views.open")[0].body["trigger_id"] == "8.9.10"
    assert initial(view, ids.SUMMARY_BLOCK, "initial_value") == MESSAGE["text"]
    assert initial(view, ids.SOURCE_USER_BLOCK, "initial_user") == "U0PM"
    metadata = json.loads(view["private_metadata"])
    assert (metadata["channel_id"], metadata["message_ts"]) == ("C1", MESSAGE["ts"])


def test_submitted_flag_keeps_channel_ts_and_permalink(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    view = log_message(slack, fake_slack_api)

    slack.interaction(submission(view))

    [receipt] = fake_slack_api.wait_for("hooks/shortcut")  # the receipt follows the permalink
    assert receipt.body["response_type"] == "ephemeral"
    [flag] = stored(db)
    assert (flag.channel_id, flag.message_ts, flag.summary, flag.source_user_id) == (
        "C1",
        MESSAGE["ts"],
        MESSAGE["text"],
        "U0PM",
    )
    assert flag.permalink == "https://example.slack.com/archives/C1/p1700000000000100"
    [permalink_call] = fake_slack_api.calls_to("chat.getPermalink")
    assert (permalink_call.body["channel"], permalink_call.body["message_ts"]) == ("C1", MESSAGE["ts"])


@pytest.mark.parametrize(
    ("channel_id", "message", "expected_link"),
    [
        ("G0PRIVATE", MESSAGE, "https://example.slack.com/archives/G0PRIVATE/p1700000000000100"),
        (
            "C1",
            {**MESSAGE, "ts": "1700000000.000200", "thread_ts": "1700000000.000100"},
            "https://example.slack.com/archives/C1/p1700000000000200?thread_ts=1700000000.000100&cid=C1",
        ),
    ],
    ids=["private channel", "thread reply"],
)
def test_when_slack_refuses_a_permalink_the_flag_is_stored_with_the_documented_link_form(
    slack: SlackSender,
    fake_slack_api: FakeSlackApi,
    db: sessionmaker[Session],
    channel_id: str,
    message: dict,
    expected_link: str,
) -> None:
    fake_slack_api.fail("chat.getPermalink", error="channel_not_found")
    view = log_message(slack, fake_slack_api, message, channel_id=channel_id)

    slack.interaction(submission(view))

    fake_slack_api.wait_for("hooks/shortcut")
    [flag] = stored(db)
    assert (flag.channel_id, flag.message_ts, flag.permalink) == (channel_id, message["ts"], expected_link)


def test_without_any_permalink_the_flag_is_still_stored(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    fake_slack_api.fail("chat.getPermalink", error="channel_not_found")
    view = log_message(slack, fake_slack_api, team_domain=None)

    slack.interaction(submission(view))

    fake_slack_api.wait_for("hooks/shortcut")
    [flag] = stored(db)
    assert (flag.message_ts, flag.permalink) == (MESSAGE["ts"], None)


def test_a_bot_message_without_text_prefills_the_bot_as_the_source(slack: SlackSender, fake_slack_api: FakeSlackApi) -> None:
    bot_message = {
        "type": "message",
        "subtype": "bot_message",
        "bot_id": "B1",
        "ts": "1.2",
        "bot_profile": {"name": "Roadmap Bot"},
        "blocks": [],
    }

    view = log_message(slack, fake_slack_api, bot_message)

    assert initial(view, ids.SUMMARY_BLOCK, "initial_value") is None
    assert initial(view, ids.SOURCE_TEXT_BLOCK, "initial_value") == "Roadmap Bot"
    assert initial(view, ids.SOURCE_USER_BLOCK, "initial_user") is None


def test_a_very_long_message_is_prefilled_up_to_the_stored_limit(slack: SlackSender, fake_slack_api: FakeSlackApi) -> None:
    view = log_message(slack, fake_slack_api, {**MESSAGE, "text": "z" * 5000})

    assert initial(view, ids.SUMMARY_BLOCK, "initial_value") == "z" * 3000


def test_a_message_whose_fields_are_not_the_documented_types_opens_an_empty_form_without_an_error(
    slack: SlackSender, fake_slack_api: FakeSlackApi, caplog: pytest.LogCaptureFixture
) -> None:
    odd = {"type": "message", "ts": "1700000000.000100", "user": "U1", "text": None, "bot_profile": True, "username": 7}

    view = log_message(slack, fake_slack_api, odd)

    assert initial(view, ids.SUMMARY_BLOCK, "initial_value") is None
    assert initial(view, ids.SOURCE_USER_BLOCK, "initial_user") == "U1"
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


@pytest.mark.parametrize(
    ("channel_id", "channel_name"),
    [("D0DM", "directmessage"), ("C0GROUPDM", "mpdm-ana--ben--cleo-1"), ("G0GROUPDM", "mpdm-ana--ben-1")],
    ids=["dm", "group dm", "legacy group dm"],
)
def test_a_flag_logged_in_a_dm_keeps_no_conversation_ts_or_link(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session], channel_id: str, channel_name: str
) -> None:
    view = log_message(slack, fake_slack_api, channel_id=channel_id, channel_name=channel_name)

    slack.interaction(submission(view))

    fake_slack_api.wait_for("hooks/shortcut")
    [flag] = stored(db)
    assert (flag.summary, flag.channel_id, flag.message_ts, flag.permalink) == (MESSAGE["text"], None, None, None)
    assert fake_slack_api.calls_to("chat.getPermalink") == []
    assert channel_id not in view["private_metadata"] and MESSAGE["ts"] not in view["private_metadata"]


def test_in_a_dm_the_form_says_what_is_kept_and_that_naming_the_asker_tells_them(
    slack: SlackSender, fake_slack_api: FakeSlackApi
) -> None:
    view = log_message(slack, fake_slack_api, channel_id="D0DM", channel_name="directmessage")

    notice = view["blocks"][0]["text"]["text"]
    assert "direct message" in notice and "not the conversation, its time or a link" in notice
    assert "tells them who flagged" in notice
    [source_user] = [b for b in view["blocks"] if b.get("block_id") == ids.SOURCE_USER_BLOCK]
    assert "tells them who flagged" in source_user["hint"]["text"]
    assert "initial_user" not in source_user["element"]  # naming the asker is chosen, never prefilled


def test_in_a_channel_the_form_has_no_dm_notice(slack: SlackSender, fake_slack_api: FakeSlackApi) -> None:
    view = log_message(slack, fake_slack_api)

    assert all("direct message" not in json.dumps(block) for block in view["blocks"])


def test_a_dm_source_sent_in_forged_metadata_is_not_stored(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    view = log_message(slack, fake_slack_api)
    forged = {**view, "private_metadata": json.dumps({"channel_id": "D0DM", "message_ts": MESSAGE["ts"]})}

    slack.interaction(submission(forged))

    fake_slack_api.wait_for("chat.postMessage")  # no response_url in the forged metadata: the receipt is a DM
    [flag] = stored(db)
    assert (flag.channel_id, flag.message_ts, flag.permalink) == (None, None, None)
