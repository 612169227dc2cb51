"""Slash commands whose form contains the word "payload" anywhere: slack-bolt 1.30.0's parse_body took every one for an
interaction and lost it (404). Each field Slack fills with user- or admin-chosen words is tried."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.db import flags as flag_store
from bot.slack.bolt_patches import parse_body
from tests.slack_requests import SlackSender


@pytest.mark.parametrize(
    "field, value",
    [
        ("text", "the payload team wants it by Friday"),
        ("channel_name", "payload-infra"),
        ("team_domain", "payload-co"),
        ("user_name", "payload.pete"),
    ],
)
def test_a_command_with_payload_in_any_field_is_stored(
    slack: SlackSender, db: sessionmaker[Session], field: str, value: str
) -> None:
    fields = {"text": "ship it by Friday", field: value}

    reply = slack.command(**fields)

    assert reply.status == 200
    assert reply.json()["response_type"] == "ephemeral"
    with db() as session:
        [flag] = flag_store.list_flags(session, team_id="T1")
    assert flag.summary == fields["text"]


def test_an_interaction_is_still_read_from_its_payload_field() -> None:
    assert parse_body("payload=%7B%22type%22%3A%22block_actions%22%7D", "application/x-www-form-urlencoded") == {
        "type": "block_actions"
    }
    assert parse_body("text=payload&payloadx=1", None) == {"text": "payload", "payloadx": "1"}
