"""/deadline-flag <text>, driven the way Slack drives it: a signed POST into the real endpoint."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.db import flags as flag_store
from bot.domain.agreement import DEFAULT_AGREEMENT
from tests.fake_slack_api import FakeSlackApi
from tests.markup import live_markup
from tests.slack_requests import SlackSender

REPORTER_KEY = b"test-reporter-key"  # the settings fixture's REPORTER_KEY


def stored(db: sessionmaker[Session], team_id: str = "T1") -> list:
    with db() as session:
        return flag_store.list_flags(session, team_id=team_id)


def all_text(reply_json: dict) -> str:
    """The visible text of a message's blocks (sections and context elements)."""
    texts = [block.get("text", {}).get("text", "") for block in reply_json["blocks"]]
    texts += [e["text"] for block in reply_json["blocks"] if block["type"] == "context" for e in block["elements"]]
    return "\n".join(texts)


def test_inline_flag_is_stored_and_confirmed_only_to_its_reporter(slack: SlackSender, db: sessionmaker[Session]) -> None:
    reply = slack.command("the CEO wants the export feature by Friday for a demo", team_id="T1", user_id="U1")

    assert reply.status == 200
    body = reply.json()
    assert body["response_type"] == "ephemeral"
    assert "the CEO wants the export feature by Friday for a demo" in all_text(body)
    assert "anonymous" in all_text(body)
    [flag] = stored(db, "T1")
    assert flag.summary == "the CEO wants the export feature by Friday for a demo"
    assert flag.clause.keyword == "deadline"
    # One person's anonymous flag is held (default minimum 3): numbered only when released.
    assert flag.number is None and "held, so not numbered yet" in all_text(body)


def test_reporter_is_stored_as_a_keyed_hash_not_as_their_user_id(slack: SlackSender, db: sessionmaker[Session]) -> None:
    slack.command("ship search by Friday", team_id="T1", user_id="U777SECRET")

    [flag] = stored(db)
    # Recomputed here, not with the app's function: an unkeyed sha256, or a key other than REPORTER_KEY, fails.
    expected = hmac.new(REPORTER_KEY, b"T1:U777SECRET", hashlib.sha256).hexdigest()
    assert flag.reporter_hash == expected
    assert (flag.reporter_user_id, flag.reporter_named) == (None, False)


def test_the_channel_a_command_was_typed_in_is_not_stored(slack: SlackSender, db: sessionmaker[Session]) -> None:
    slack.command("ship search by Friday", channel_id="C0TEAMROOM")

    [flag] = stored(db)
    assert (flag.channel_id, flag.message_ts) == (None, None)  # the channel would tell who typed it


def test_a_clause_keyword_files_the_flag_under_that_clause_and_is_not_part_of_the_text(
    slack: SlackSender, db: sessionmaker[Session]
) -> None:
    reply = slack.command("feature: build a CSV button by Monday")

    [flag] = stored(db)
    assert flag.clause.keyword == "feature"
    assert flag.summary == "build a CSV button by Monday"
    assert "Flagged under *Problems, not features* · product's side" in all_text(reply.json())


def test_every_clause_of_the_default_agreement_has_a_keyword_that_files_under_it(
    slack: SlackSender, db: sessionmaker[Session]
) -> None:
    for clause in DEFAULT_AGREEMENT:
        slack.command(f"{clause.keyword.upper()}: something about {clause.title}")

    assert sorted(flag.clause.keyword for flag in stored(db)) == sorted(c.keyword for c in DEFAULT_AGREEMENT)


def test_help_answers_with_usage_listing_every_keyword_and_stores_nothing(
    slack: SlackSender, db: sessionmaker[Session]
) -> None:
    reply = slack.command("help")

    body = reply.json()
    assert reply.status == 200
    assert body["response_type"] == "ephemeral"
    for clause in DEFAULT_AGREEMENT:
        assert f"`{clause.keyword}:`" in all_text(body)
    assert stored(db) == []


@pytest.mark.parametrize(
    "text",
    [
        "https://tracker/X-1 must ship Friday",
        "Re: billing export by Tuesday",
        "CEO: the demo needs search by Friday",
        "Update: rebuild billing by Tuesday",
        "deadline://tracker/X-2 by Monday",
    ],
)
def test_a_word_with_a_colon_that_is_not_a_keyword_is_part_of_the_flags_text(
    slack: SlackSender, db: sessionmaker[Session], text: str
) -> None:
    reply = slack.command(text)

    assert reply.status == 200
    assert [(f.clause.keyword, f.summary) for f in stored(db)] == [("deadline", text)]


def test_keyword_without_text_asks_for_the_text(slack: SlackSender, db: sessionmaker[Session]) -> None:
    reply = slack.command("feature:")

    assert "Add what was asked after `feature:`" in all_text(reply.json())
    assert stored(db) == []


def test_user_text_never_becomes_a_live_mention_or_broken_markup(
    slack: SlackSender, db: sessionmaker[Session], fake_slack_api: FakeSlackApi
) -> None:
    hostile = "<!channel> <!here> @here <@U123> <#C123> <https://evil.example|click> a & b < c > d *bold*"

    reply = slack.command(f"feature: {hostile}")

    body = reply.json()
    assert live_markup(body) == []
    assert "&lt;!channel&gt;" in all_text(body)
    assert "a &amp; b &lt; c &gt; d" in all_text(body)
    assert all(block["text"].get("verbatim") for block in body["blocks"] if block["type"] == "section")
    [flag] = stored(db)
    assert flag.summary == hostile  # stored as typed; escaped only on the way out
    assert live_markup([call.body for call in fake_slack_api.calls]) == []


def test_text_over_the_limit_is_refused_with_all_of_it_given_back(slack: SlackSender, db: sessionmaker[Session]) -> None:
    long_text = "x&" * 1600 + "THE END"

    reply = slack.command(long_text)

    body = reply.json()
    assert "at most 3,000" in all_text(body)
    assert all_text(body).replace(">", "").replace("\n", "").count("x&amp;") == 1600
    assert "THE END" in all_text(body)
    assert stored(db) == []


def test_database_down_tells_the_user_and_gives_their_text_back(slack: SlackSender, down_app_url: str) -> None:
    down = SlackSender(url=down_app_url + "/slack/events", fake=slack.fake)

    reply = down.command("deadline: payments migration by the 1st <!here>")

    assert reply.status == 200
    body = reply.json()
    assert body["response_type"] == "ephemeral"
    text = all_text(body)
    assert "not saved" in text
    assert "payments migration by the 1st &lt;!here&gt;" in text
    assert "reference `" in text
    assert live_markup(body) == []


def test_nul_characters_are_left_out_of_a_stored_flag(slack: SlackSender, db: sessionmaker[Session]) -> None:
    reply = slack.command("ship\x00 it")

    assert reply.status == 200
    assert [f.summary for f in stored(db)] == ["ship it"]


def test_a_flag_of_nul_characters_alone_asks_for_words_and_stores_nothing(
    slack: SlackSender, db: sessionmaker[Session]
) -> None:
    reply = slack.command("\x00\x00")

    assert "Add a few words" in all_text(reply.json())
    assert stored(db) == []


def test_a_command_without_a_user_is_refused_so_nobody_else_can_claim_the_flag(
    slack: SlackSender, db: sessionmaker[Session]
) -> None:
    reply = slack.form({"command": "/deadline-flag", "text": "ship it by Friday", "team_id": "T1"})

    assert "without a user" in all_text(reply.json())
    assert stored(db) == []
