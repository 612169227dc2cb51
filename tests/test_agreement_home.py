"""The agreement on the Home tab: "Our agreement" for everyone, and for workspace admins, owners and leads a form
to add, edit, retire and restore clauses, its refusals beside the fields."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.blocks import ids
from bot.db import flags as flag_store
from bot.domain.agreement import agreement_of, retire_clause
from bot.domain.workspace_settings import change_settings
from tests.fake_slack_api import FakeSlackApi
from tests.holding import show_at_once
from tests.slack_requests import SlackSender
from tests.views import block_action, opened_view, submission

NOW = datetime(2026, 11, 30, 9, tzinfo=UTC)

ADMIN, LEAD, MEMBER = "U0ADMIN", "U0LEAD", "U0MEMBER"


@pytest.fixture(autouse=True)
def admins(fake_slack_api: FakeSlackApi) -> None:
    fake_slack_api.replies["users.info"] = lambda call: {
        "ok": True,
        "user": {"id": call.body["user"], "is_admin": call.body["user"] == ADMIN, "is_owner": False},
    }


def home_for(slack: SlackSender, fake: FakeSlackApi, user_id: str) -> dict:
    count = len(fake.calls_to("views.publish")) + 1
    slack.event({"type": "app_home_opened", "user": user_id, "tab": "home"})
    return opened_view(fake.wait_for("views.publish", count=count)[-1])


def open_add_form(slack: SlackSender, fake: FakeSlackApi, user_id: str = ADMIN) -> dict:
    count = len(fake.calls_to("views.open")) + 1
    slack.interaction(block_action(ids.AGREEMENT_ADD_ACTION, "", user_id=user_id, from_home=True))
    return opened_view(fake.wait_for("views.open", count=count)[-1])


def open_edit_form(slack: SlackSender, fake: FakeSlackApi, keyword: str, user_id: str = ADMIN) -> dict:
    """Pick a clause in the Home tab's "Edit, retire or restore a clause" select: the form opens, and Home is redrawn
    (so that the same clause can be picked again)."""
    count, published = len(fake.calls_to("views.open")) + 1, len(fake.calls_to("views.publish")) + 1
    payload = block_action(ids.AGREEMENT_EDIT_ACTION, "", user_id=user_id, from_home=True)
    payload["actions"] = [
        {"type": "static_select", "action_id": ids.AGREEMENT_EDIT_ACTION, "selected_option": {"value": keyword}}
    ]
    slack.interaction(payload)
    opened = opened_view(fake.wait_for("views.open", count=count)[-1])
    fake.wait_for("views.publish", count=published)
    return opened


def saved(slack: SlackSender, fake: FakeSlackApi, view: dict, answers: dict, user_id: str = ADMIN) -> None:
    """Submit the clause form and wait for the Home tab it redraws once the change is saved."""
    count = len(fake.calls_to("views.publish")) + 1
    reply = slack.interaction(submission(view, answers, user_id=user_id))
    assert (reply.status, reply.text) == (200, "")
    fake.wait_for("views.publish", count=count)


def test_everyone_sees_our_agreement_on_home_with_both_sides(slack: SlackSender, fake_slack_api: FakeSlackApi) -> None:
    view = home_for(slack, fake_slack_api, MEMBER)

    text = json.dumps(view)
    assert "Our agreement" in text
    assert text.index("*Product's side*") < text.index("`deadline:` *No artificial deadlines*") < text.index("*Tech's side*")
    assert "`explain:` *Give the estate's reason for a delay or a no*" in text


def test_admins_and_leads_get_the_agreement_controls_and_members_do_not(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    change_settings(db, team_id="T1", now=NOW, lead_ids=[LEAD])

    shown = {user: json.dumps(home_for(slack, fake_slack_api, user)) for user in (ADMIN, LEAD, MEMBER)}

    assert ids.AGREEMENT_ADD_ACTION in shown[ADMIN] and ids.AGREEMENT_EDIT_ACTION in shown[ADMIN]
    assert ids.AGREEMENT_ADD_ACTION in shown[LEAD] and ids.AGREEMENT_EDIT_ACTION in shown[LEAD]
    assert ids.AGREEMENT_ADD_ACTION not in shown[MEMBER] and ids.AGREEMENT_EDIT_ACTION not in shown[MEMBER]


def test_a_clause_added_from_the_home_form_can_be_flagged_at_once_by_keyword_and_in_the_form(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    view = open_add_form(slack, fake_slack_api)
    answers = {
        ids.CLAUSE_SIDE_BLOCK: "product",
        ids.CLAUSE_KEYWORD_BLOCK: "scope",
        ids.CLAUSE_TITLE_BLOCK: "Scope is agreed before dates",
        ids.CLAUSE_DESCRIPTION_BLOCK: "A date comes after the scope, never before.",
    }

    saved(slack, fake_slack_api, view, answers)
    slack.command("scope: the date came first")
    slack.command("")

    with db() as session:
        [flag] = flag_store.list_flags(session, team_id="T1")
    assert (flag.clause.keyword, flag.clause.side, flag.summary) == ("scope", "product", "the date came first")
    form = opened_view(fake_slack_api.wait_for("views.open", count=2)[-1])
    [product] = [b["element"]["option_groups"][0] for b in form["blocks"] if b.get("block_id") == ids.CLAUSE_BLOCK]
    assert product["options"][-1]["value"] == "scope"


def test_a_lead_edits_a_clause_from_home_and_its_flags_show_the_new_wording(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    change_settings(db, team_id="T1", now=NOW, lead_ids=[LEAD])
    slack.command("input: nobody asked")
    view = open_edit_form(slack, fake_slack_api, "input", user_id=LEAD)

    saved(slack, fake_slack_api, view, {ids.CLAUSE_TITLE_BLOCK: "Ask the estate first"}, user_id=LEAD)

    clause = agreement_of(db, team_id="T1").clause("input")
    assert clause is not None and (clause.title, clause.active) == ("Ask the estate first", True)
    assert "Ask the estate first" in json.dumps(home_for(slack, fake_slack_api, MEMBER))


def test_unticking_offer_it_for_new_flags_retires_a_clause_and_ticking_it_restores_it(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    retire_form = open_edit_form(slack, fake_slack_api, "seat")
    saved(slack, fake_slack_api, retire_form, {ids.CLAUSE_ACTIVE_BLOCK: []})
    retired = agreement_of(db, team_id="T1").clause("seat")

    restore_form = open_edit_form(slack, fake_slack_api, "seat")
    saved(slack, fake_slack_api, restore_form, {ids.CLAUSE_ACTIVE_BLOCK: [ids.CLAUSE_ACTIVE]})

    assert retired is not None and not retired.active
    restored = agreement_of(db, team_id="T1").clause("seat")
    assert restored is not None and restored.active


@pytest.mark.parametrize(
    ("answers", "block_id", "sentence"),
    [
        ({ids.CLAUSE_KEYWORD_BLOCK: "seat"}, ids.CLAUSE_KEYWORD_BLOCK, "already a keyword"),
        ({ids.CLAUSE_KEYWORD_BLOCK: "Two Words"}, ids.CLAUSE_KEYWORD_BLOCK, "one short lower-case word"),
        ({ids.CLAUSE_TITLE_BLOCK: "x" * 76}, ids.CLAUSE_TITLE_BLOCK, "Keep the title to 75 characters"),
    ],
)
def test_a_clause_the_agreement_cannot_take_is_refused_beside_its_field_and_nothing_is_saved(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session], answers: dict, block_id: str, sentence: str
) -> None:
    view = open_add_form(slack, fake_slack_api)
    before = agreement_of(db, team_id="T1")
    typed = {ids.CLAUSE_SIDE_BLOCK: "tech", ids.CLAUSE_KEYWORD_BLOCK: "oncall", ids.CLAUSE_TITLE_BLOCK: "Own it", **answers}

    reply = slack.interaction(submission(view, typed, user_id=ADMIN))

    body = reply.json()
    assert body["response_action"] == "errors"
    assert list(body["errors"]) == [block_id]
    assert sentence in body["errors"][block_id]
    assert agreement_of(db, team_id="T1") == before


def test_a_member_who_submits_the_clause_form_is_told_no_and_nothing_changes(
    slack: SlackSender,
    fake_slack_api: FakeSlackApi,
    db: sessionmaker[Session],
    after_ack_pool: ThreadPoolExecutor,
) -> None:
    view = open_add_form(slack, fake_slack_api, user_id=MEMBER)  # a forged click: members never see the button
    before = agreement_of(db, team_id="T1")
    answers = {ids.CLAUSE_SIDE_BLOCK: "tech", ids.CLAUSE_KEYWORD_BLOCK: "oncall", ids.CLAUSE_TITLE_BLOCK: "Own it"}

    slack.interaction(submission(view, answers, user_id=MEMBER))

    [refusal] = fake_slack_api.wait_for("chat.postMessage")
    assert refusal.body["channel"] == MEMBER
    assert "Only workspace admins, owners and leads can change the agreement." in refusal.body["text"]
    after_ack_pool.shutdown(wait=True)
    assert agreement_of(db, team_id="T1") == before


def test_the_leads_open_flags_on_home_show_each_flags_clause_and_side(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    show_at_once(db)  # the leads' list holds the flags they may see
    slack.command("reorder: the reordered backlog was ignored")
    retire_clause(db, team_id="T1", keyword="reorder")

    view = home_for(slack, fake_slack_api, ADMIN)

    [line] = [
        b["text"]["text"] for b in view["blocks"] if b["type"] == "section" and "reordered backlog" in b["text"]["text"]
    ]
    assert line.startswith("*Take on priorities reordered through the process (retired)* · tech's side · Open")


def test_picking_a_clause_to_edit_redraws_home_so_the_same_clause_can_be_picked_again(
    slack: SlackSender, fake_slack_api: FakeSlackApi
) -> None:
    open_edit_form(slack, fake_slack_api, "seat")

    [redrawn] = fake_slack_api.calls_to("views.publish")
    assert redrawn.body["user_id"] == ADMIN
    assert ids.AGREEMENT_EDIT_ACTION in json.dumps(redrawn.body["view"])
