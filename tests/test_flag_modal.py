"""/deadline-flag with no text opens the flag modal; its submission is validated inline, stored, and receipted."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.blocks import ids
from bot.db import flags as flag_store
from tests.fake_slack_api import FakeSlackApi
from tests.markup import live_markup
from tests.slack_requests import SlackSender
from tests.views import opened_view, submission


def open_modal(slack: SlackSender, fake_slack_api: FakeSlackApi, **command: str) -> dict:
    reply = slack.command("", **command)
    assert reply.status == 200
    [call] = fake_slack_api.wait_for("views.open")
    return opened_view(call)


def stored(db: sessionmaker[Session], team_id: str = "T1") -> list:
    with db() as session:
        return flag_store.list_flags(session, team_id=team_id)


def test_command_without_text_opens_the_modal_with_the_commands_trigger_id(
    slack: SlackSender, fake_slack_api: FakeSlackApi
) -> None:
    reply = slack.command("   ", trigger_id="trigger-from-command")

    assert reply.status == 200
    assert reply.text == ""  # no message: the modal is the answer
    [call] = fake_slack_api.wait_for("views.open")
    assert call.body["trigger_id"] == "trigger-from-command"
    view = opened_view(call)
    assert view["callback_id"] == ids.FLAG_MODAL
    assert {b["block_id"] for b in view["blocks"]} >= {ids.CLAUSE_BLOCK, ids.SUMMARY_BLOCK, ids.DATE_DEMANDED_BLOCK}


def test_modal_offers_every_clause_with_its_description_grouped_by_side_and_leaves_the_reporter_anonymous(
    slack: SlackSender, fake_slack_api: FakeSlackApi
) -> None:
    view = open_modal(slack, fake_slack_api)

    [clause_block] = [b for b in view["blocks"] if b["block_id"] == ids.CLAUSE_BLOCK]
    groups = clause_block["element"]["option_groups"]
    assert [g["label"]["text"] for g in groups] == [
        "Product's side: tech's rights, product's responsibilities",
        "Tech's side: product's rights, tech's responsibilities",
        "Neither side",
    ]
    assert [[o["value"] for o in g["options"]] for g in groups] == [
        ["deadline", "feature", "seat", "remedial", "priorities", "estate"],
        ["health", "urgent", "input", "reorder", "roadmap", "explain"],
        ["other"],
    ]
    assert all(o["description"]["text"] for g in groups for o in g["options"])
    assert clause_block["element"]["initial_option"]["value"] == "deadline"
    [name_me] = [b for b in view["blocks"] if b["block_id"] == ids.NAME_ME_BLOCK]
    assert "initial_options" not in name_me["element"]


def test_submitted_modal_closes_and_stores_every_field(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    view = open_modal(slack, fake_slack_api)
    answers = {
        ids.CLAUSE_BLOCK: "feature",
        ids.SUMMARY_BLOCK: "Build a CSV export button",
        ids.SOURCE_TEXT_BLOCK: "Sales kickoff",
        ids.SOURCE_USER_BLOCK: "U0BOSS",
        ids.DATE_DEMANDED_BLOCK: "2026-12-04",
        ids.CONSTRAINT_CHOICE_BLOCK: ids.CONSTRAINT_YES,
        ids.CONSTRAINT_TEXT_BLOCK: "Customer contract renewal",
    }

    reply = slack.interaction(submission(view, answers))

    assert reply.status == 200
    assert reply.text == ""  # an empty 200 closes the modal
    [flag] = stored(db)
    assert (flag.clause.keyword, flag.summary, flag.source_text, flag.source_user_id) == (
        "feature",
        "Build a CSV export button",
        "Sales kickoff",
        "U0BOSS",
    )
    assert flag.date_demanded == date(2026, 12, 4)
    assert flag.external_constraint == "Customer contract renewal"
    assert (flag.reporter_named, flag.reporter_user_id) == (False, None)


def test_the_receipt_of_a_submitted_modal_is_seen_only_by_the_reporter(
    slack: SlackSender, fake_slack_api: FakeSlackApi, after_ack_pool: ThreadPoolExecutor
) -> None:
    view = open_modal(slack, fake_slack_api)

    slack.interaction(submission(view, {ids.SUMMARY_BLOCK: "Build a CSV export button"}))

    [receipt] = fake_slack_api.wait_for("hooks/1")  # the command's response_url, carried in private_metadata
    assert receipt.body["response_type"] == "ephemeral"
    assert "Build a CSV export button" in str(receipt.body["blocks"])
    after_ack_pool.shutdown(wait=True)  # all the work after the answer is done: nothing else is on its way
    assert fake_slack_api.calls_to("chat.postMessage") == []  # nothing anyone else could see


def test_a_reporter_who_ticks_name_me_is_stored_by_user_id(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    view = open_modal(slack, fake_slack_api, user_id="U42")

    slack.interaction(submission(view, {ids.SUMMARY_BLOCK: "x by Friday", ids.NAME_ME_BLOCK: [ids.NAME_ME]}, user_id="U42"))

    [flag] = stored(db)
    assert (flag.reporter_named, flag.reporter_user_id) == (True, "U42")


@pytest.mark.parametrize(
    ("answers", "block_id"),
    [
        ({ids.SUMMARY_BLOCK: "   \n  "}, ids.SUMMARY_BLOCK),
        ({ids.SUMMARY_BLOCK: "x" * 3001}, ids.SUMMARY_BLOCK),
        ({ids.SUMMARY_BLOCK: "ok", ids.DATE_DEMANDED_BLOCK: "2026-02-30"}, ids.DATE_DEMANDED_BLOCK),
        ({ids.SUMMARY_BLOCK: "ok", ids.DATE_DEMANDED_BLOCK: "next friday"}, ids.DATE_DEMANDED_BLOCK),
        ({ids.SUMMARY_BLOCK: "ok", ids.CONSTRAINT_CHOICE_BLOCK: ids.CONSTRAINT_YES}, ids.CONSTRAINT_TEXT_BLOCK),
        ({ids.SUMMARY_BLOCK: "ok", ids.SOURCE_TEXT_BLOCK: "y" * 501}, ids.SOURCE_TEXT_BLOCK),
    ],
    ids=[
        "blank text",
        "text over the limit",
        "impossible date",
        "unreadable date",
        "constraint without text",
        "long source",
    ],
)
def test_invalid_submission_comes_back_as_an_error_beside_the_field_and_stores_nothing(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session], answers: dict, block_id: str
) -> None:
    view = open_modal(slack, fake_slack_api)

    reply = slack.interaction(submission(view, answers))

    assert reply.status == 200
    body = reply.json()
    assert body["response_action"] == "errors"
    assert list(body["errors"]) == [block_id]
    assert stored(db) == []


def test_every_problem_of_a_submission_shows_beside_its_own_field_at_once(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    view = open_modal(slack, fake_slack_api)
    answers = {
        ids.SUMMARY_BLOCK: "   ",
        ids.DATE_DEMANDED_BLOCK: "next friday",
        ids.CONSTRAINT_CHOICE_BLOCK: ids.CONSTRAINT_YES,
    }

    reply = slack.interaction(submission(view, answers))

    errors = reply.json()["errors"]
    assert sorted(errors) == sorted([ids.SUMMARY_BLOCK, ids.DATE_DEMANDED_BLOCK, ids.CONSTRAINT_TEXT_BLOCK])
    assert "Add a few words" in errors[ids.SUMMARY_BLOCK]
    assert stored(db) == []


def test_a_database_failure_keeps_the_modal_open_with_an_error(
    slack: SlackSender, fake_slack_api: FakeSlackApi, down_app_url: str
) -> None:
    view = open_modal(slack, fake_slack_api)
    down = SlackSender(url=down_app_url + "/slack/events", fake=slack.fake)

    reply = down.interaction(submission(view, {ids.SUMMARY_BLOCK: "payments by the 1st"}))

    body = reply.json()
    assert body["response_action"] == "errors"
    assert "Not saved" in body["errors"][ids.SUMMARY_BLOCK]
    assert "reference" in body["errors"][ids.SUMMARY_BLOCK]


def test_the_receipt_escapes_hostile_modal_text(slack: SlackSender, fake_slack_api: FakeSlackApi) -> None:
    view = open_modal(slack, fake_slack_api)

    slack.interaction(submission(view, {ids.SUMMARY_BLOCK: "<!channel> ship <@U1> by Friday & @here"}))

    [receipt] = fake_slack_api.wait_for("hooks/1")
    assert live_markup(receipt.body) == []


def test_a_submission_from_a_forged_private_metadata_cannot_edit_someone_elses_flag(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    slack.command("original text", user_id="U1")
    [flag] = stored(db)
    view = open_modal(slack, fake_slack_api, user_id="U2")
    view["private_metadata"] = f'{{"flag_id": {flag.id}}}'

    reply = slack.interaction(submission(view, {ids.SUMMARY_BLOCK: "overwritten"}, user_id="U2"))

    assert reply.json()["response_action"] == "errors"
    assert [f.summary for f in stored(db)] == ["original text"]


def test_malformed_private_metadata_files_a_new_flag(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    view = open_modal(slack, fake_slack_api)
    view["private_metadata"] = "{not json"

    reply = slack.interaction(submission(view, {ids.SUMMARY_BLOCK: "still stored"}))

    assert reply.status == 200
    assert [f.summary for f in stored(db)] == ["still stored"]


@pytest.mark.parametrize("flag_id", [2**31, 2**64, -1, 0])
def test_an_edit_of_a_flag_id_past_the_columns_range_is_not_found_beside_the_field(
    slack: SlackSender,
    fake_slack_api: FakeSlackApi,
    db: sessionmaker[Session],
    caplog: pytest.LogCaptureFixture,
    flag_id: int,
) -> None:
    view = open_modal(slack, fake_slack_api)
    view["private_metadata"] = f'{{"flag_id": {flag_id}}}'

    reply = slack.interaction(submission(view, {ids.SUMMARY_BLOCK: "an edit"}))

    assert "no longer exists" in reply.json()["errors"][ids.SUMMARY_BLOCK]
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert stored(db) == []


def test_a_person_that_is_not_a_user_id_is_an_error_beside_the_person_field(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    view = open_modal(slack, fake_slack_api)

    reply = slack.interaction(submission(view, {ids.SUMMARY_BLOCK: "x", ids.SOURCE_USER_BLOCK: "U" + "1" * 40}))

    assert list(reply.json()["errors"]) == [ids.SOURCE_USER_BLOCK]
    assert stored(db) == []


def test_a_source_message_link_not_in_slacks_forms_is_dropped_and_the_flag_still_stored(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    view = open_modal(slack, fake_slack_api)
    view["private_metadata"] = '{"channel_id": "' + "C" * 40 + '", "message_ts": "not a ts"}'

    reply = slack.interaction(submission(view, {ids.SUMMARY_BLOCK: "linked to nothing"}))

    assert reply.status == 200
    [flag] = stored(db)
    assert (flag.summary, flag.channel_id, flag.message_ts) == ("linked to nothing", None, None)
