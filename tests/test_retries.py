"""Slack resends what it got no 200 for in time (X-Slack-Retry-Num): a retried delivery changes nothing twice."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

from sqlalchemy.orm import Session, sessionmaker

from bot.blocks import ids
from bot.blocks.flag_modal import FlagDraft, flag_modal
from bot.blocks.origin import ModalOrigin
from bot.db import flags as flag_store
from tests.clauses import STORED_DEFAULT
from tests.fake_slack_api import FakeSlackApi
from tests.holding import show_at_once
from tests.slack_requests import SlackSender, post
from tests.views import submission

RETRY = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}


def stored(db: sessionmaker[Session]) -> list:
    with db() as session:
        return flag_store.list_flags(session, team_id="T1")


def test_a_retried_slash_command_stores_one_flag_and_answers_with_the_same_receipt(
    slack: SlackSender, db: sessionmaker[Session]
) -> None:
    form = {
        "command": "/deadline-flag",
        "text": "ship it by Friday",
        "team_id": "T1",
        "user_id": "U1",
        "channel_id": "C1",
        "trigger_id": "111.222.abc",
        "response_url": slack.response_url,
    }
    body = urlencode(form)

    first = post(slack.url, body, content_type="application/x-www-form-urlencoded")
    retry = post(slack.url, body, content_type="application/x-www-form-urlencoded", headers=RETRY)

    assert (first.status, retry.status) == (200, 200)
    assert len(stored(db)) == 1
    assert first.json() == retry.json()


def test_a_retried_modal_submission_stores_one_flag(slack: SlackSender, db: sessionmaker[Session]) -> None:
    payload = submission(flag_modal(FlagDraft(), ModalOrigin(), STORED_DEFAULT), {ids.SUMMARY_BLOCK: "once only"})

    slack.interaction(payload)
    slack.interaction(payload, headers=RETRY)

    assert [f.summary for f in stored(db)] == ["once only"]


def test_a_retried_event_is_acknowledged_and_dropped_no_second_home_publish(
    slack: SlackSender, fake_slack_api: FakeSlackApi, after_ack_pool: ThreadPoolExecutor
) -> None:
    event = {"type": "app_home_opened", "user": "U1", "tab": "home"}

    first = slack.event(event, event_id="Ev0RETRIED")
    retries = [slack.event(event, event_id="Ev0RETRIED", headers={**RETRY, "X-Slack-Retry-Num": str(n)}) for n in (1, 2, 3)]
    after_ack_pool.shutdown(wait=True)

    assert [r.status for r in [first, *retries]] == [200] * 4
    assert len(fake_slack_api.calls_to("views.publish")) == 1


def test_distinct_events_are_all_handled(slack: SlackSender, fake_slack_api: FakeSlackApi) -> None:
    for n in range(3):
        slack.event({"type": "app_home_opened", "user": f"U{n}", "tab": "home"}, event_id=f"Ev0DISTINCT{n}")

    assert len(fake_slack_api.wait_for("views.publish", count=3)) == 3


def test_a_retried_outcome_change_is_applied_once(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session], after_ack_pool: ThreadPoolExecutor
) -> None:
    from tests.views import block_action

    fake_slack_api.replies["users.info"] = lambda call: {"ok": True, "user": {"id": call.body["user"], "is_admin": True}}
    show_at_once(db)  # leads change outcomes of flags they can see
    slack.command("ship it", user_id="U0REPORTER")
    [flag] = stored(db)
    payload = block_action(ids.FLAG_STATUS_ACTION, "", user_id="U0ADMIN", from_home=True)
    payload["actions"] = [
        {
            "type": "overflow",
            "action_id": ids.FLAG_STATUS_ACTION,
            "block_id": "x",
            "selected_option": {"value": f"{flag.number}:resolved"},  # leads pick flags by number
        }
    ]

    slack.interaction(payload)
    slack.interaction(payload, headers=RETRY)
    after_ack_pool.shutdown(wait=True)

    from bot.domain.outcomes import status_history

    assert len(status_history(db, team_id="T1", flag_id=flag.id)) == 1
    assert [c.body["channel"] for c in fake_slack_api.calls_to("chat.postMessage")] == ["U0REPORTER"]  # one DM


def test_of_eight_concurrent_identical_changes_exactly_one_is_recorded(db: sessionmaker[Session]) -> None:
    from datetime import UTC, datetime

    from bot.domain import flags
    from bot.domain.outcomes import Status, change_status, status_history

    key = b"test-reporter-key"
    show_at_once(db)  # leads change outcomes of flags they can see
    flag = flags.record_flag(
        db, flags.FlagReport(team_id="T1", reporter_id="U1", keyword="other", summary="x"), reporter_key=key
    )

    def resolve(_: int) -> bool:
        return change_status(
            db,
            team_id="T1",
            flag_number=flag.number,
            to_status=Status.RESOLVED,
            changed_by="U0ADMIN",
            actor_is_admin=True,
            reporter_key=key,
            now=datetime.now(UTC),
        ).changed

    with ThreadPoolExecutor(max_workers=8) as pool:
        changed = list(pool.map(resolve, range(8)))

    assert changed.count(True) == 1
    assert len(status_history(db, team_id="T1", flag_id=flag.id)) == 1


def test_an_event_without_a_workspace_leaves_no_delivery_record(slack: SlackSender, db: sessionmaker[Session]) -> None:
    from sqlalchemy import func, select

    from bot.db.models import SlackDelivery
    from tests.slack_requests import post

    body = {
        "type": "event_callback",
        "event_id": "Ev0NOTEAM",
        "event": {"type": "app_home_opened", "user": "U1", "tab": "home"},
    }
    reply = post(slack.url, json.dumps(body), content_type="application/json")

    assert reply.status < 500
    with db() as session:
        assert session.scalar(select(func.count()).select_from(SlackDelivery)) == 0


def test_a_request_key_not_in_slacks_id_form_is_not_kept_and_the_flag_is_stored(db: sessionmaker[Session]) -> None:
    from bot.domain import flags

    report = flags.FlagReport(
        team_id="T1",
        reporter_id="U1",
        keyword="other",
        summary="text \ud800 with a lone surrogate",
        request_key='{"?\ud95c\udd8a": [null]}',
    )

    flag = flags.record_flag(db, report, reporter_key=b"k")

    with db() as session:
        row = flag_store.get_flag(session, team_id="T1", flag_id=flag.id)
        assert row is not None and row.request_key is None
        assert row.summary == "text ? with a lone surrogate"
