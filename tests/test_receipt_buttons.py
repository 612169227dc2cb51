"""Receipts offer "Add details" and "Withdraw"; only the reporter can use them, in their own workspace."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.blocks import ids
from bot.config import Config
from bot.db import flags as flag_store
from tests.conftest import serve_app
from tests.fake_slack_api import FakeSlackApi
from tests.invariants import AfterAckWork
from tests.slack_requests import SlackSender
from tests.views import block_action, opened_view, submission


def stored(db: sessionmaker[Session], team_id: str = "T1") -> list:
    with db() as session:
        return flag_store.list_flags(session, team_id=team_id)


def flag_inline(slack: SlackSender, text: str = "ship search by Friday", **kwargs: str) -> tuple[int, dict]:
    receipt = slack.command(text, **kwargs).json()
    [actions] = [b for b in receipt["blocks"] if b["type"] == "actions"]
    buttons = {e["action_id"]: e for e in actions["elements"]}
    return int(buttons[ids.EDIT_FLAG_ACTION]["value"]), buttons


def test_the_inline_receipt_offers_add_details_and_a_confirmed_withdraw(slack: SlackSender) -> None:
    _, buttons = flag_inline(slack)

    assert buttons[ids.EDIT_FLAG_ACTION]["text"]["text"] == "Add details"
    assert "confirm" in buttons[ids.WITHDRAW_FLAG_ACTION]


def test_add_details_opens_the_modal_on_the_flag_and_saving_updates_it_in_place(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    flag_id, _ = flag_inline(slack, "feature: CSV export")
    response_url = fake_slack_api.response_url("hooks/receipt")

    slack.interaction(block_action(ids.EDIT_FLAG_ACTION, str(flag_id), response_url=response_url))
    view = opened_view(fake_slack_api.wait_for("views.open")[0])
    reply = slack.interaction(submission(view, {ids.DATE_DEMANDED_BLOCK: "2026-12-01", ids.SOURCE_TEXT_BLOCK: "QBR"}))

    assert reply.status == 200
    [flag] = stored(db)
    assert (flag.id, flag.summary, flag.clause.keyword, flag.source_text) == (flag_id, "CSV export", "feature", "QBR")
    assert str(flag.date_demanded) == "2026-12-01"
    [replaced] = fake_slack_api.wait_for("hooks/receipt")
    assert replaced.body["replace_original"] is True


def test_withdraw_deletes_the_flag_and_replaces_the_receipt(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    flag_id, _ = flag_inline(slack)

    reply = slack.interaction(
        block_action(ids.WITHDRAW_FLAG_ACTION, str(flag_id), response_url=fake_slack_api.response_url("hooks/r"))
    )

    assert reply.status == 200
    assert stored(db) == []
    [replaced] = fake_slack_api.wait_for("hooks/r")
    assert replaced.body["replace_original"] is True
    assert "Your held flag was withdrawn and deleted" in replaced.body["text"]  # held: it had no number yet


@pytest.mark.parametrize("action_id", [ids.WITHDRAW_FLAG_ACTION, ids.EDIT_FLAG_ACTION])
def test_another_user_of_the_same_workspace_is_refused(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session], action_id: str
) -> None:
    flag_id, _ = flag_inline(slack, "mine", user_id="U1")

    slack.interaction(
        block_action(action_id, str(flag_id), user_id="U2", response_url=fake_slack_api.response_url("hooks/u2"))
    )

    [refusal] = fake_slack_api.wait_for("hooks/u2")
    assert "Only the person who flagged this" in refusal.body["text"]
    assert [f.summary for f in stored(db)] == ["mine"]
    assert fake_slack_api.calls_to("views.open") == []


@pytest.mark.parametrize("action_id", [ids.WITHDRAW_FLAG_ACTION, ids.EDIT_FLAG_ACTION])
def test_a_user_of_another_workspace_with_the_same_flag_id_is_refused(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session], action_id: str
) -> None:
    flag_id, _ = flag_inline(slack, "T1's flag", team_id="T1", user_id="U1")

    # Same user id, other workspace: the flag id means nothing there.
    slack.interaction(
        block_action(
            action_id, str(flag_id), team_id="T2", user_id="U1", response_url=fake_slack_api.response_url("hooks/t2")
        )
    )

    [refusal] = fake_slack_api.wait_for("hooks/t2")
    assert "That flag no longer exists" in refusal.body["text"]
    assert [f.summary for f in stored(db, "T1")] == ["T1's flag"]
    assert fake_slack_api.calls_to("views.open") == []


def test_a_button_with_a_malformed_flag_id_is_acknowledged_and_ignored(
    slack: SlackSender, db: sessionmaker[Session]
) -> None:
    flag_inline(slack)

    reply = slack.interaction(block_action(ids.WITHDRAW_FLAG_ACTION, "1; DROP TABLE flags"))

    assert reply.status == 200
    assert len(stored(db)) == 1


@pytest.fixture
def drained_app(
    config: Config, db: sessionmaker[Session], engine: Engine, fake_slack_api: FakeSlackApi
) -> Iterator[tuple[SlackSender, AfterAckWork]]:
    """The app with one pool for all its work after the ack (modals included), so a test can wait for all of it."""
    work = AfterAckWork()
    with serve_app(config, db, engine, work, urgent=work) as base_url:
        yield SlackSender(url=base_url + "/slack/events", fake=fake_slack_api), work


@pytest.mark.parametrize("value", ["²", "9" * 5000, str(2**64), " 1", ""])
@pytest.mark.parametrize("action_id", [ids.EDIT_FLAG_ACTION, ids.WITHDRAW_FLAG_ACTION])
def test_a_button_value_that_is_not_a_flag_id_changes_nothing_and_logs_no_error(
    drained_app: tuple[SlackSender, AfterAckWork],
    db: sessionmaker[Session],
    caplog: pytest.LogCaptureFixture,
    action_id: str,
    value: str,
) -> None:
    slack, after_ack = drained_app
    flag_id, _ = flag_inline(slack)

    reply = slack.interaction(block_action(action_id, value))
    after_ack.drain()  # errors and modals after the ack count too

    assert reply.status == 200
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert [flag.id for flag in stored(db)] == [flag_id]  # not withdrawn
    assert slack.fake.calls_to("views.open") == []  # no form opened on it either: Edit stores nothing by itself


def test_a_click_whose_container_is_not_an_object_still_withdraws_and_logs_no_error(
    slack: SlackSender, db: sessionmaker[Session], caplog: pytest.LogCaptureFixture
) -> None:
    flag_id, _ = flag_inline(slack)
    payload = block_action(ids.WITHDRAW_FLAG_ACTION, str(flag_id))
    payload["container"] = "view"

    reply = slack.interaction(payload)

    assert reply.status == 200
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert stored(db) == []
