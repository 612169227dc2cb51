"""Leads move flags through their outcomes from the digest and the Home tab; every change is recorded; the
reporter hears when their flag is resolved, unless they opted out; nobody else may change anything."""

from __future__ import annotations

import json
import logging
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.blocks import ids
from bot.db import flags as flag_store
from bot.domain import flags
from bot.domain.outcomes import status_history
from bot.domain.workspace_settings import change_settings
from bot.flows.digest import send_digest
from bot.slack.tokens import Workspaces
from tests.fake_slack_api import FakeSlackApi
from tests.holding import show_at_once
from tests.markup import live_markup
from tests.slack_requests import SlackSender
from tests.views import block_action, opened_view, submission

NOW = datetime(2026, 11, 30, 9, tzinfo=UTC)

ADMIN, LEAD, MEMBER, REPORTER = "U0ADMIN", "U0LEAD", "U0MEMBER", "U0REPORTER"


@pytest.fixture(autouse=True)
def admins(fake_slack_api: FakeSlackApi) -> None:
    fake_slack_api.replies["users.info"] = lambda call: {
        "ok": True,
        "user": {"id": call.body["user"], "is_admin": call.body["user"] == ADMIN, "profile": {"display_name": "Pat"}},
    }


@pytest.fixture(autouse=True)
def flags_shown_at_once(db: sessionmaker[Session]) -> None:
    """These tests are about what leads do with the flags they see: one reporter's anonymous flag is released as it is
    stored (min_reporters 1). What leads cannot do with a held flag is in tests/test_held_flags.py.

    Another workspace's flags come first, so that T1's internal ids are not its numbers: leads name flags by number."""
    for n in range(5):
        report = flags.FlagReport("T9", "U1", "other", f"elsewhere {n}", name_reporter=True)
        flags.record_flag(db, report, reporter_key=b"test-reporter-key")
    show_at_once(db, "T1")


class Flagged(NamedTuple):
    id: int  # internal: the reporter's buttons, the database
    number: int  # what leads see and pick by


def flag_by_reporter(slack: SlackSender, text: str = "ship billing by Friday <!here>", user_id: str = REPORTER) -> Flagged:
    receipt = slack.command(text, user_id=user_id).json()
    flag_id = int(next(b for b in receipt["blocks"] if b["type"] == "actions")["elements"][0]["value"])
    [number] = re.findall(r"\(flag #(\d+)\)", receipt["blocks"][0]["text"]["text"])
    assert int(number) != flag_id  # or a test could mix them up and still pass
    return Flagged(flag_id, int(number))


def post_digest(db: sessionmaker[Session], workspaces: Workspaces, fake: FakeSlackApi) -> dict:
    """Post the digest; the thread reply that lists the flags, as the leads see it."""
    result = send_digest(
        db, workspaces, team_id="T1", default_channel="C0LEADS", now=datetime.now(UTC) + timedelta(seconds=1)
    )
    assert result.status == "posted"
    _, reply = fake.posted("C0LEADS")
    blocks = reply.body["blocks"]
    return {"ts": reply.ts, "blocks": json.loads(blocks) if isinstance(blocks, str) else blocks, "text": reply.body["text"]}


def pick_status(slack: SlackSender, fake: FakeSlackApi, message: dict, number: int, status: str, user_id: str) -> None:
    payload = {
        "type": "block_actions",
        "team": {"id": "T1", "domain": "example"},
        "user": {"id": user_id, "team_id": "T1"},
        "api_app_id": "A1",
        "token": "legacy",
        "trigger_id": "9.9.9",
        "container": {"type": "message", "message_ts": message["ts"], "channel_id": "C0LEADS", "is_ephemeral": False},
        "channel": {"id": "C0LEADS", "name": "leads"},
        "message": {"type": "message", "ts": message["ts"], "text": message["text"], "blocks": message["blocks"]},
        "response_url": fake.response_url(f"hooks/{user_id}"),
        "actions": [
            {
                "type": "overflow",
                "action_id": ids.FLAG_STATUS_ACTION,
                "block_id": f"flag:{number}",
                "selected_option": {"text": {"type": "plain_text", "text": status}, "value": f"{number}:{status}"},
                "action_ts": "1",
            }
        ],
    }
    assert slack.interaction(payload).status == 200


def status_menu_click(number: int, status: str, *, user_id: str, **payload: object) -> dict:
    """A pick from a flag's status menu (on Home unless `from_home=False`), without the digest message around it."""
    click = block_action(ids.FLAG_STATUS_ACTION, "", user_id=user_id, **{"from_home": True, **payload})  # type: ignore[arg-type]
    click["actions"] = [
        {
            "type": "overflow",
            "action_id": ids.FLAG_STATUS_ACTION,
            "block_id": "x",
            "selected_option": {"value": f"{number}:{status}"},
        }
    ]
    return click


def status_of(db: sessionmaker[Session], flag_id: int, team_id: str = "T1") -> str | None:
    with db() as session:
        flag = flag_store.get_flag(session, team_id=team_id, flag_id=flag_id)
        return None if flag is None else flag.status


def test_a_member_cannot_change_an_outcome_and_is_told_so(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session], workspaces: Workspaces
) -> None:
    flag = flag_by_reporter(slack)
    message = post_digest(db, workspaces, fake_slack_api)

    pick_status(slack, fake_slack_api, message, flag.number, "resolved", MEMBER)

    [refusal] = fake_slack_api.wait_for(f"hooks/{MEMBER}")
    assert "Only workspace admins, owners and the leads list" in refusal.body["text"]
    assert status_of(db, flag.id) == "open"
    assert status_history(db, team_id="T1", flag_id=flag.id) == []
    assert fake_slack_api.calls_to("chat.update") == []


def test_an_admin_acknowledges_from_the_digest_which_is_redrawn_in_place_and_the_change_is_recorded(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session], workspaces: Workspaces
) -> None:
    flag = flag_by_reporter(slack)
    message = post_digest(db, workspaces, fake_slack_api)

    pick_status(slack, fake_slack_api, message, flag.number, "acknowledged", ADMIN)

    [update] = fake_slack_api.wait_for("chat.update")
    assert (update.body["channel"], update.body["ts"]) == ("C0LEADS", message["ts"])
    blocks = json.loads(update.body["blocks"]) if isinstance(update.body["blocks"], str) else update.body["blocks"]
    [flag_block] = [b for b in blocks if b.get("block_id") == f"flag:{flag.number}"]
    assert "*Acknowledged*" in flag_block["text"]["text"]
    assert len(blocks) == len(message["blocks"])
    assert live_markup([b for b in blocks if b.get("block_id")]) == []
    assert status_of(db, flag.id) == "acknowledged"
    [(from_status, to_status, changed_by, _)] = status_history(db, team_id="T1", flag_id=flag.id)
    assert (from_status, to_status, changed_by) == ("open", "acknowledged", ADMIN)
    assert fake_slack_api.calls_to("chat.postMessage")[2:] == []  # no DM: not resolved yet


def test_a_lead_on_the_list_resolves_and_the_reporter_gets_a_dm(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session], workspaces: Workspaces
) -> None:
    change_settings(db, team_id="T1", now=NOW, lead_ids=[LEAD])
    flag = flag_by_reporter(slack)
    message = post_digest(db, workspaces, fake_slack_api)

    pick_status(slack, fake_slack_api, message, flag.number, "resolved", LEAD)

    fake_slack_api.wait_for("chat.update")
    dm = fake_slack_api.wait_for("chat.postMessage", count=3)[2]
    assert dm.body["channel"] == REPORTER
    assert f"flag #{flag.number} was marked *resolved*" in json.dumps(dm.body)
    assert status_of(db, flag.id) == "resolved"


def test_a_reporter_who_opted_out_gets_no_dm(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session], workspaces: Workspaces
) -> None:
    flag = flag_by_reporter(slack)
    opt_out = block_action(ids.OUTCOME_DMS_ACTION, "", user_id=REPORTER, from_home=True)
    opt_out["actions"] = [
        {"type": "checkboxes", "action_id": ids.OUTCOME_DMS_ACTION, "block_id": "b", "selected_options": []}
    ]
    slack.interaction(opt_out)
    fake_slack_api.wait_for("views.publish")
    message = post_digest(db, workspaces, fake_slack_api)

    pick_status(slack, fake_slack_api, message, flag.number, "resolved", ADMIN)

    fake_slack_api.wait_for("chat.update")
    assert status_of(db, flag.id) == "resolved"
    assert [c.body["channel"] for c in fake_slack_api.calls_to("chat.postMessage")] == ["C0LEADS", "C0LEADS"]


def test_picking_the_same_status_twice_records_one_change_and_sends_one_dm(
    slack: SlackSender,
    fake_slack_api: FakeSlackApi,
    db: sessionmaker[Session],
    workspaces: Workspaces,
    after_ack_pool: ThreadPoolExecutor,
) -> None:
    flag = flag_by_reporter(slack)
    message = post_digest(db, workspaces, fake_slack_api)

    pick_status(slack, fake_slack_api, message, flag.number, "resolved", ADMIN)
    fake_slack_api.wait_for("chat.update")
    pick_status(slack, fake_slack_api, message, flag.number, "resolved", ADMIN)
    after_ack_pool.shutdown(wait=True)  # the second click's work is done ...

    assert len(status_history(db, team_id="T1", flag_id=flag.id)) == 1  # ... and changed nothing
    assert len(fake_slack_api.calls_to("chat.postMessage")) == 3  # the digest's two messages and one DM


def test_not_an_issue_asks_for_a_reason_which_the_reporter_sees_and_the_digest_reply_is_redrawn(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session], workspaces: Workspaces
) -> None:
    flag = flag_by_reporter(slack)
    message = post_digest(db, workspaces, fake_slack_api)

    pick_status(slack, fake_slack_api, message, flag.number, "not_an_issue", ADMIN)
    modal = opened_view(fake_slack_api.wait_for("views.open")[0])
    slack.interaction(submission(modal, {ids.REASON_BLOCK: "The date is the regulator's <!channel>"}, user_id=ADMIN))

    [update] = fake_slack_api.wait_for("chat.update")
    assert update.body["ts"] == message["ts"]
    assert "Not an issue" in json.dumps(update.body)
    dm = fake_slack_api.wait_for("chat.postMessage", count=3)[2]
    assert dm.body["channel"] == REPORTER
    assert "The date is the regulator's &lt;!channel&gt;" in json.dumps(dm.body)
    assert live_markup(json.loads(dm.body["blocks"]) if isinstance(dm.body["blocks"], str) else dm.body["blocks"]) == []
    [(_, to_status, _, _)] = status_history(db, team_id="T1", flag_id=flag.id)
    assert to_status == "not_an_issue"


def open_home(slack: SlackSender, fake: FakeSlackApi, user_id: str) -> str:
    """The Home tab `user_id` is shown, as JSON text."""
    before = len(fake.calls_to("views.publish"))
    slack.event({"type": "app_home_opened", "user": user_id, "tab": "home"})
    return json.dumps(fake.wait_for("views.publish", count=before + 1)[before].body)


def test_a_member_does_not_see_the_workspaces_open_flags_on_home(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    flag_by_reporter(slack, "open one")
    change_settings(db, team_id="T1", now=NOW, lead_ids=[LEAD])

    member_home = open_home(slack, fake_slack_api, MEMBER)

    assert "open one" not in member_home
    assert ids.EXPORT_CSV_ACTION not in member_home


def test_a_lead_sees_the_workspaces_open_flags_and_the_csv_download_on_home(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    flag_by_reporter(slack, "open one")
    change_settings(db, team_id="T1", now=NOW, lead_ids=[LEAD])

    lead_home = open_home(slack, fake_slack_api, LEAD)

    assert "open one" in lead_home
    assert ids.EXPORT_CSV_ACTION in lead_home


def test_a_lead_changes_a_flags_status_from_home(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    flag = flag_by_reporter(slack, "open one")
    change_settings(db, team_id="T1", now=NOW, lead_ids=[LEAD])

    slack.interaction(status_menu_click(flag.number, "discussed", user_id=LEAD))

    [republished] = fake_slack_api.wait_for("views.publish")
    assert republished.body["user_id"] == LEAD
    assert status_of(db, flag.id) == "discussed"


def test_a_status_menu_value_from_another_workspace_changes_nothing(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    flag = flag_by_reporter(slack)

    hooks = fake_slack_api.response_url("hooks/t2")
    slack.interaction(
        status_menu_click(flag.number, "resolved", user_id=ADMIN, team_id="T2", response_url=hooks, from_home=False)
    )

    [refusal] = fake_slack_api.wait_for("hooks/t2")
    assert "That flag no longer exists" in refusal.body["text"]
    assert status_of(db, flag.id) == "open"


def test_a_withdrawn_flag_takes_its_history_with_it(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session], workspaces: Workspaces
) -> None:
    flag = flag_by_reporter(slack)
    message = post_digest(db, workspaces, fake_slack_api)
    pick_status(slack, fake_slack_api, message, flag.number, "acknowledged", ADMIN)
    fake_slack_api.wait_for("chat.update")

    slack.interaction(block_action(ids.WITHDRAW_FLAG_ACTION, str(flag.id), user_id=REPORTER))

    assert status_of(db, flag.id) is None
    assert status_history(db, team_id="T1", flag_id=flag.id) == []


def test_a_member_who_asks_for_the_csv_is_told_no_by_dm_and_gets_no_file(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session], after_ack_pool: ThreadPoolExecutor
) -> None:
    flag_by_reporter(slack)
    change_settings(db, team_id="T1", now=NOW, lead_ids=[LEAD])

    slack.interaction(block_action(ids.EXPORT_CSV_ACTION, "", user_id=MEMBER, from_home=True))
    [refusal] = fake_slack_api.wait_for("chat.postMessage")
    after_ack_pool.shutdown(wait=True)

    assert refusal.body["channel"] == MEMBER
    assert fake_slack_api.calls_to("files.getUploadURLExternal") == []
    assert fake_slack_api.calls_to("files.completeUploadExternal") == []


def test_a_lead_downloads_the_csv_into_their_dm(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    flag_by_reporter(slack, "ship billing by Friday")
    change_settings(db, team_id="T1", now=NOW, lead_ids=[LEAD])

    slack.interaction(block_action(ids.EXPORT_CSV_ACTION, "", user_id=LEAD, from_home=True))

    [complete] = fake_slack_api.wait_for("files.completeUploadExternal")
    assert complete.body["channel_id"] == "D0REPORTER"  # the conversations.open DM (the fake's one DM id)
    [dm] = fake_slack_api.calls_to("conversations.open")
    assert dm.body["users"] == LEAD
    [upload] = fake_slack_api.calls_to("upload/F0001")
    assert b"ship billing by Friday" in upload.raw


def test_a_formula_in_a_flag_stays_text_in_the_csv(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    flag_by_reporter(slack, "=HYPERLINK(evil)")
    change_settings(db, team_id="T1", now=NOW, lead_ids=[LEAD])

    slack.interaction(block_action(ids.EXPORT_CSV_ACTION, "", user_id=LEAD, from_home=True))

    fake_slack_api.wait_for("files.completeUploadExternal")
    [upload] = fake_slack_api.calls_to("upload/F0001")
    assert b"'=HYPERLINK(evil)" in upload.raw  # a spreadsheet would run a cell that starts with "="


def test_the_csv_does_not_name_a_reporter_who_stayed_anonymous(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    flag_by_reporter(slack, user_id=REPORTER)
    change_settings(db, team_id="T1", now=NOW, lead_ids=[LEAD])

    slack.interaction(block_action(ids.EXPORT_CSV_ACTION, "", user_id=LEAD, from_home=True))

    fake_slack_api.wait_for("files.completeUploadExternal")
    [upload] = fake_slack_api.calls_to("upload/F0001")
    assert REPORTER.encode() not in upload.raw


def test_a_csv_download_slack_refuses_is_told_to_the_lead(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    change_settings(db, team_id="T1", now=NOW, lead_ids=[LEAD])
    # An installation made before the app asked for im:write and files:write.
    fake_slack_api.fail("conversations.open", error="missing_scope", needed="im:write", provided="commands,chat:write")

    slack.interaction(block_action(ids.EXPORT_CSV_ACTION, "", user_id=LEAD, from_home=True))

    [told] = fake_slack_api.wait_for("chat.postMessage")
    assert told.body["channel"] == LEAD
    assert "The CSV could not be sent" in told.body["text"] and "`im:write`" in told.body["text"]
    assert "reinstall" in told.body["text"]
    assert fake_slack_api.calls_to("files.completeUploadExternal") == []


@pytest.mark.parametrize(
    "payload_change",
    [
        {"actions": [{"type": "overflow", "action_id": ids.FLAG_STATUS_ACTION, "block_id": "x", "selected_option": 1}]},
        {
            "actions": [
                {
                    "type": "overflow",
                    "action_id": ids.FLAG_STATUS_ACTION,
                    "block_id": "x",
                    "selected_option": {"value": "1:resolved"},
                }
            ],
            "container": [],
            "message": "text",
        },
    ],
    ids=["selected_option not an object", "container and message of the wrong types"],
)
def test_a_malformed_status_menu_payload_is_acknowledged_without_an_error(
    slack: SlackSender,
    fake_slack_api: FakeSlackApi,
    db: sessionmaker[Session],
    payload_change: dict,
    after_ack_pool: ThreadPoolExecutor,
    caplog: pytest.LogCaptureFixture,
) -> None:
    flag_by_reporter(slack)  # flag #1
    fake_slack_api.replies["users.info"] = lambda call: {"ok": True, "user": {"id": call.body["user"], "is_admin": False}}

    with caplog.at_level(logging.ERROR):
        reply = slack.interaction({**block_action(ids.FLAG_STATUS_ACTION, "", user_id=MEMBER), **payload_change})
        after_ack_pool.shutdown(wait=True)

    assert reply.status == 200
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []  # no listener failed


def test_a_not_an_issue_submission_with_malformed_state_or_metadata_is_acknowledged(
    slack: SlackSender, fake_slack_api: FakeSlackApi, caplog: pytest.LogCaptureFixture
) -> None:
    view = {
        "id": "V1",
        "type": "modal",
        "callback_id": ids.NOT_AN_ISSUE_MODAL,
        "state": {"values": [1, 2]},
        "private_metadata": ["not", "a", "string"],
    }
    payload = {**submission({"blocks": []}), "view": view}

    with caplog.at_level(logging.ERROR):
        reply = slack.interaction(payload)

    assert reply.status == 200
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []  # no listener failed


def test_not_an_issue_opens_within_the_triggers_life_while_slack_is_slow_to_say_who_is_a_lead(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session], workspaces: Workspaces
) -> None:
    flag = flag_by_reporter(slack)
    message = post_digest(db, workspaces, fake_slack_api)
    slow = fake_slack_api.hold("users.info")  # longer than a trigger_id lives

    pick_status(slack, fake_slack_api, message, flag.number, "not_an_issue", ADMIN)
    [opened] = fake_slack_api.wait_for("views.open")
    slow.set()

    assert fake_slack_api.refusals == []  # no expired_trigger_id
    assert ids.NOT_AN_ISSUE_MODAL in json.dumps(opened.body)


def test_the_reporter_hears_the_outcome_even_when_the_digest_reply_can_no_longer_be_redrawn(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session], workspaces: Workspaces
) -> None:
    flag = flag_by_reporter(slack)
    message = post_digest(db, workspaces, fake_slack_api)
    fake_slack_api.delete_message("C0LEADS", message["ts"])  # someone deleted the digest reply

    pick_status(slack, fake_slack_api, message, flag.number, "resolved", ADMIN)

    dm = fake_slack_api.wait_for("chat.postMessage", count=3)[2]
    assert dm.body["channel"] == REPORTER
    assert ("chat.update", "message_not_found") in fake_slack_api.refusals
    assert status_of(db, flag.id) == "resolved"


def test_a_change_made_on_home_redraws_the_digest_reply_that_lists_the_flag(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session], workspaces: Workspaces
) -> None:
    flag = flag_by_reporter(slack)
    message = post_digest(db, workspaces, fake_slack_api)
    slack.interaction(status_menu_click(flag.number, "discussed", user_id=ADMIN))

    [update] = fake_slack_api.wait_for("chat.update")
    assert update.body["ts"] == message["ts"]
    assert "*Discussed*" in json.dumps(update.body)


def test_names_and_admin_answers_are_kept_so_a_redraw_asks_slack_nothing_new(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session], workspaces: Workspaces
) -> None:
    flag = flag_by_reporter(slack)
    message = post_digest(db, workspaces, fake_slack_api)

    pick_status(slack, fake_slack_api, message, flag.number, "acknowledged", ADMIN)
    fake_slack_api.wait_for("chat.update")
    pick_status(slack, fake_slack_api, message, flag.number, "discussed", ADMIN)
    fake_slack_api.wait_for("chat.update", count=2)

    assert [c.body["user"] for c in fake_slack_api.calls_to("users.info")] == [ADMIN]  # asked once, then kept


def test_a_withdrawn_flag_is_taken_out_of_the_digest_reply_that_listed_it(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session], workspaces: Workspaces
) -> None:
    withdrawn = flag_by_reporter(slack, "the secret launch, due Friday")
    kept = flag_by_reporter(slack, "another one", user_id="U0OTHER")
    message = post_digest(db, workspaces, fake_slack_api)
    assert "the secret launch" in json.dumps(message["blocks"])

    slack.interaction(block_action(ids.WITHDRAW_FLAG_ACTION, str(withdrawn.id), user_id=REPORTER))

    [update] = fake_slack_api.wait_for("chat.update")
    assert update.body["ts"] == message["ts"]
    [reply] = [m for m in fake_slack_api.posted("C0LEADS") if m.ts == message["ts"]]
    fake_slack_api.wait_until(lambda: "the secret launch" not in json.dumps(reply.body))  # what Slack now shows
    assert f"flag:{kept.number}" in json.dumps(reply.body["blocks"])
    assert "1 flag listed here was withdrawn by its reporter." in json.dumps(reply.body["blocks"])


def test_a_status_change_or_a_withdraw_of_a_flag_id_past_the_columns_range_finds_no_flag(db: sessionmaker[Session]) -> None:
    from bot.domain.digest import messages_listing
    from bot.domain.flags import FLAG_ID_MAX, FlagNotFound
    from bot.domain.outcomes import Status, change_status

    with pytest.raises(FlagNotFound):
        change_status(
            db, team_id="T1", flag_number=FLAG_ID_MAX + 1, to_status=Status.RESOLVED, changed_by=ADMIN,
            actor_is_admin=True, reporter_key=b"k", now=datetime.now(UTC),
        )  # fmt: skip
    assert messages_listing(db, team_id="T1", flag_id=FLAG_ID_MAX + 1) == []
