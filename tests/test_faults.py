"""Faults: the database or the Web API down or rate-limiting during each thing the app does, and a clock process
killed mid-digest. The user is told, nothing is lost or duplicated, and the next run recovers."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from bot.blocks import ids
from bot.config import Config
from bot.db import digests as digest_store
from bot.db import flags as flag_store
from bot.domain import digest as digests
from bot.domain.digest import rolling_week
from bot.domain.workspace_settings import change_settings
from bot.flows.digest import send_digest
from bot.slack.tokens import Workspaces
from tests.clauses import clause_id
from tests.conftest import serve_app
from tests.fake_slack_api import DEFAULT_REPLIES, FakeSlackApi
from tests.slack_requests import SlackSender
from tests.views import block_action, message_shortcut

RATE_LIMITED = {"status": 429, "headers": {"Retry-After": "0"}, "error": "ratelimited"}
MESSAGE = {"type": "message", "user": "U0PM", "ts": "1700000000.000100", "text": "ship it by Friday"}


def stored(db: sessionmaker[Session]) -> list:
    with db() as session:
        return flag_store.list_flags(session, team_id="T1")


def test_database_down_during_a_home_publish_shows_a_home_that_says_so(
    slack: SlackSender, down_app_url: str, fake_slack_api: FakeSlackApi
) -> None:
    down = SlackSender(url=down_app_url + "/slack/events", fake=slack.fake)

    reply = down.event({"type": "app_home_opened", "user": "U1", "tab": "home"})

    assert reply.status == 200
    [publish] = fake_slack_api.wait_for("views.publish")
    assert "cannot reach its database" in json.dumps(publish.body)


WEB_API_CALLS: dict[str, tuple[str, Callable[[SlackSender, FakeSlackApi], object]]] = {
    "views.open (command)": ("views.open", lambda s, f: s.command("")),
    "views.open (shortcut)": (
        "views.open",
        lambda s, f: s.interaction(message_shortcut(MESSAGE, response_url=f.response_url("h"))),
    ),
    "views.publish": ("views.publish", lambda s, f: s.event({"type": "app_home_opened", "user": "U1", "tab": "home"})),
    "users.info (Home)": ("users.info", lambda s, f: s.event({"type": "app_home_opened", "user": "U1", "tab": "home"})),
    "chat.postMessage (DM refusal)": (
        "chat.postMessage",
        lambda s, f: s.interaction(block_action(ids.WITHDRAW_FLAG_ACTION, "999", from_home=True)),
    ),
}


@pytest.mark.parametrize("call", list(WEB_API_CALLS))
def test_a_rate_limited_web_api_call_is_retried_and_goes_through(
    slack: SlackSender, fake_slack_api: FakeSlackApi, call: str
) -> None:
    method, act = WEB_API_CALLS[call]
    fake_slack_api.fail(method, **RATE_LIMITED)

    act(slack, fake_slack_api)

    assert len(fake_slack_api.wait_for(method, count=2)) == 2  # the 429, then slack_sdk's retry


def test_when_slack_will_not_open_the_form_the_user_is_told_through_the_response_url(
    slack: SlackSender, fake_slack_api: FakeSlackApi
) -> None:
    fake_slack_api.fail("views.open", error="expired_trigger_id")

    slack.command("")

    [told] = fake_slack_api.wait_for("hooks/1")
    assert "Slack did not open the form" in told.body["text"]


def test_with_the_web_api_unreachable_an_inline_flag_is_still_stored_and_receipted(
    config: Config, db: sessionmaker[Session], engine: Engine, fake_slack_api: FakeSlackApi
) -> None:
    dead_api = replace(config, slack_api_url="http://127.0.0.1:1/api/")
    with serve_app(dead_api, db, engine) as base_url:
        slack = SlackSender(url=base_url + "/slack/events", fake=fake_slack_api)

        reply = slack.command("feature: works without the Web API")

        assert reply.status == 200 and "works without the Web API" in reply.text
        assert [f.summary for f in stored(db)] == ["works without the Web API"]


def test_with_the_web_api_unreachable_a_form_that_cannot_open_is_told_through_the_response_url(
    config: Config, db: sessionmaker[Session], engine: Engine, fake_slack_api: FakeSlackApi
) -> None:
    dead_api = replace(config, slack_api_url="http://127.0.0.1:1/api/")  # the response_url is still the fake's
    with serve_app(dead_api, db, engine) as base_url:
        slack = SlackSender(url=base_url + "/slack/events", fake=fake_slack_api)

        slack.command("")

        [told] = fake_slack_api.wait_for("hooks/1")
        assert "Slack did not open the form" in told.body["text"]


def test_a_digest_with_the_web_api_unreachable_fails_cleanly_and_the_next_run_posts(
    db: sessionmaker[Session], config: Config, workspaces: Workspaces, fake_slack_api: FakeSlackApi
) -> None:
    from bot.slack.tokens import workspaces_for

    now = datetime(2026, 11, 30, 9, tzinfo=UTC)
    unreachable = workspaces_for(replace(config, slack_api_url="http://127.0.0.1:1/api/"))

    failed = send_digest(db, unreachable, team_id="T1", default_channel="C0LEADS", now=now)
    posted = send_digest(db, workspaces, team_id="T1", default_channel="C0LEADS", now=now + timedelta(minutes=5))

    assert (failed.status, posted.status) == ("failed", "posted")
    assert len(fake_slack_api.calls_to("chat.postMessage")) == 1


def test_a_claim_left_by_a_clock_process_that_died_is_taken_over_by_the_next_run_at_once(
    db: sessionmaker[Session], workspaces: Workspaces, fake_slack_api: FakeSlackApi
) -> None:
    now = datetime(2026, 11, 30, 9, tzinfo=UTC)
    with db.begin() as session:  # a process claimed the week, then died before posting: its week's lock died with it
        digest_store.insert_digest_claim(session, team_id="T1", iso_week="2026-W49", now=now)

    recovered = send_digest(db, workspaces, team_id="T1", default_channel="C0LEADS", now=now + timedelta(minutes=1))
    again = send_digest(db, workspaces, team_id="T1", default_channel="C0LEADS", now=now + timedelta(minutes=30))

    assert (recovered.status, again.status) == ("posted", "already_sent")
    assert len(fake_slack_api.calls_to("chat.postMessage")) == 1


def test_a_week_a_live_process_is_posting_is_left_to_it(
    db: sessionmaker[Session], workspaces: Workspaces, fake_slack_api: FakeSlackApi
) -> None:
    now = datetime(2026, 11, 30, 9, tzinfo=UTC)
    with digests.week_lock(db, team_id="T1", iso_week="2026-W49") as held:  # another sender, alive, holds the week
        assert held
        with db.begin() as session:
            digest_store.insert_digest_claim(session, team_id="T1", iso_week="2026-W49", now=now)
        meanwhile = send_digest(db, workspaces, team_id="T1", default_channel="C0LEADS", now=now + timedelta(hours=1))

    assert meanwhile.status == "already_sent" and "another process" in meanwhile.detail
    assert fake_slack_api.calls_to("chat.postMessage") == []


@contextmanager
def database_gone_when(engine: Engine, gone: threading.Event) -> Iterator[None]:
    """Every statement fails once `gone` is set, as when the database host goes away; the database itself is real."""

    def fail(*_args: object) -> None:
        if gone.is_set():
            raise OperationalError("statement", {}, ConnectionError("the database went away"))

    event.listen(engine, "before_cursor_execute", fail)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", fail)


@dataclass
class TwoWorkspaces:
    """The deployment's token source with two workspaces on one token (the fake answers any bot token)."""

    inner: Workspaces

    def client_for(self, team_id: str, enterprise_id: str | None = None):  # type: ignore[no-untyped-def]
        return self.inner.client_for(team_id)

    def team_ids(self) -> list[str]:
        return ["T1", "T2"]


def test_the_database_gone_after_slack_took_the_digest_never_posts_the_week_twice_nor_skips_a_workspace(
    db: sessionmaker[Session], engine: Engine, workspaces: Workspaces, fake_slack_api: FakeSlackApi
) -> None:
    from bot.flows.digest import run_due_digests

    now = datetime(2026, 11, 30, 9, 1, tzinfo=UTC)
    gone = threading.Event()
    post = DEFAULT_REPLIES["chat.postMessage"]

    def accept_then_lose_the_database(call):  # type: ignore[no-untyped-def]
        if len(fake_slack_api.calls_to("chat.postMessage")) == 1:  # T1's summary: Slack has it, then the database goes
            gone.set()
        return post(call)

    fake_slack_api.replies["chat.postMessage"] = accept_then_lose_the_database
    with database_gone_when(engine, gone):
        first = run_due_digests(db, TwoWorkspaces(workspaces), default_channel="C0LEADS", now=now)
    later = [
        run_due_digests(db, TwoWorkspaces(workspaces), default_channel="C0LEADS", now=now + timedelta(minutes=m))
        for m in (5, 20, 60)
    ]

    assert [r.status for r in first] == ["failed"]  # T1: posted, not recorded; T2's check could not reach the database
    # Next tick: T1 cannot know whether Slack has its summary, so it is given up as unsure; T2 posts. Then nothing.
    assert [[r.status for r in tick] for tick in later] == [["failed", "posted"], [], []]
    assert "may not" not in later[0][0].detail and "lost Slack's answer" in later[0][0].detail
    summaries = [c for c in fake_slack_api.calls_to("chat.postMessage") if "thread_ts" not in c.body]
    assert len(summaries) == 2  # one a workspace


def test_a_clock_process_killed_before_recording_its_summary_leaves_the_week_unsure_and_never_posts_it_again(
    db: sessionmaker[Session], workspaces: Workspaces, fake_slack_api: FakeSlackApi
) -> None:
    now = datetime(2026, 11, 30, 9, tzinfo=UTC)
    period = rolling_week(now)
    change_settings(db, team_id="T1", now=now, default_channel=None, channel_id="C0LEADS", changed_by="UADMIN")
    with db.begin() as session:  # a process claimed the week, started posting, then died before recording the summary
        digest_store.insert_digest_claim(session, team_id="T1", iso_week="2026-W49", now=now)
        run = digest_store.mark_digest_posting(session, team_id="T1", iso_week="2026-W49")
        run.channel_id, run.period_start, run.period_end = "C0LEADS", period.start, period.end

    sends = [
        send_digest(db, workspaces, team_id="T1", default_channel=None, now=now + timedelta(minutes=m)) for m in (1, 60)
    ]

    assert [s.status for s in sends] == ["failed", "already_sent"]
    assert fake_slack_api.posted("C0LEADS") == []  # its summary may be there: never posted a second time
    [told] = fake_slack_api.posted("DADMIN")
    assert "may not have been posted" in told.body["text"] and "--force" in str(told.body["blocks"])
    assert digests.week_failure(db, team_id="T1", iso_week="2026-W49") == digests.WeekFailure(sends[0].detail, unsure=True)


def test_a_week_whose_unsure_mark_could_not_be_written_is_not_posted_again_either(
    db: sessionmaker[Session], engine: Engine, workspaces: Workspaces, fake_slack_api: FakeSlackApi
) -> None:
    now = datetime(2026, 11, 30, 9, tzinfo=UTC)
    period = rolling_week(now)
    with db.begin() as session:  # a process died after starting to post, before recording the summary
        digest_store.insert_digest_claim(session, team_id="T1", iso_week="2026-W49", now=now)
        run = digest_store.mark_digest_posting(session, team_id="T1", iso_week="2026-W49")
        run.channel_id, run.period_start, run.period_end = "C0LEADS", period.start, period.end
    failed_once = threading.Event()

    def fail_the_unsure_mark(_conn, _cursor, statement: str, parameters, *_args: object) -> None:  # type: ignore[no-untyped-def]
        if statement.startswith("UPDATE digest_runs") and "unsure" in str(parameters) and not failed_once.is_set():
            failed_once.set()
            raise OperationalError(statement, parameters, ConnectionError("the database went away for a moment"))

    event.listen(engine, "before_cursor_execute", fail_the_unsure_mark)
    try:
        sends = [
            send_digest(db, workspaces, team_id="T1", default_channel="C0LEADS", now=now + timedelta(minutes=m))
            for m in (1, 5, 60)
        ]
    finally:
        event.remove(engine, "before_cursor_execute", fail_the_unsure_mark)

    assert failed_once.is_set()
    assert [s.status for s in sends] == ["failed", "failed", "already_sent"]  # the second run records it unsure
    assert fake_slack_api.posted("C0LEADS") == []  # its summary may be there: never posted a second time
    assert digests.week_failure(db, team_id="T1", iso_week="2026-W49") == digests.WeekFailure(sends[1].detail, unsure=True)


def test_a_thread_left_half_posted_is_finished_by_the_next_run_without_a_second_summary(
    db: sessionmaker[Session], workspaces: Workspaces, fake_slack_api: FakeSlackApi
) -> None:
    now = datetime(2026, 11, 30, 9, tzinfo=UTC)
    clause = clause_id(db, "feature")
    with db.begin() as session:
        for n in range(60):  # long enough to need several replies
            flag_store.add_flag(
                session,
                team_id="T1",
                clause_id=clause,
                summary=f"flag-{n:02d} " + "x" * 2000,
                reporter_hash="h" * 64,
                created_at=now - timedelta(hours=1),
                released_at=now - timedelta(minutes=n + 1),
            )
    post = DEFAULT_REPLIES["chat.postMessage"]

    def fail_the_second_reply(call):  # type: ignore[no-untyped-def]
        if len(fake_slack_api.calls_to("chat.postMessage")) == 3:  # the summary and a reply are in
            return {"ok": False, "error": "fatal_error"}
        return post(call)

    fake_slack_api.replies["chat.postMessage"] = fail_the_second_reply
    stopped = send_digest(db, workspaces, team_id="T1", default_channel="C0LEADS", now=now)
    fake_slack_api.replies["chat.postMessage"] = post
    finished = send_digest(db, workspaces, team_id="T1", default_channel="C0LEADS", now=now + timedelta(minutes=5))
    again = send_digest(db, workspaces, team_id="T1", default_channel="C0LEADS", now=now + timedelta(minutes=10))

    assert (stopped.status, finished.status, again.status) == ("failed", "posted", "already_sent")
    summary, *replies = fake_slack_api.posted("C0LEADS")
    assert summary.thread_ts is None and len(replies) >= 3 and all(r.thread_ts == summary.ts for r in replies)
    listed = re.findall(r"flag-\d\d", "".join(str(r.body["blocks"]) for r in replies))
    assert sorted(listed) == [f"flag-{n:02d}" for n in range(60)]  # every flag in the thread, once
    parts = [re.search(r"part (\d+) of (\d+)", r.body["text"]).groups() for r in replies]  # type: ignore[union-attr]
    assert [int(part) for part, _ in parts] == list(range(1, len(replies) + 1))
    assert {int(of) for _, of in parts[1:]} == {len(replies)}  # the finished ones count the whole thread


ADMIN = "UADMIN"


@pytest.fixture
def down(slack: SlackSender, down_app_url: str, fake_slack_api: FakeSlackApi) -> SlackSender:
    """Signed requests to the app whose database is down; UADMIN is a workspace admin."""
    fake_slack_api.replies["users.info"] = lambda call: {
        "ok": True,
        "user": {"id": call.body.get("user"), "is_admin": call.body.get("user") == ADMIN},
    }
    return SlackSender(url=down_app_url + "/slack/events", fake=slack.fake)


def told_not_done(fake: FakeSlackApi, path: str) -> str:
    [told] = fake.wait_for(path)
    text = json.dumps(told.body)
    assert "cannot reach its database" in text and "reference" in text
    return text


@pytest.mark.parametrize(
    ("action_id", "what"), [(ids.WITHDRAW_FLAG_ACTION, "not withdrawn"), (ids.EDIT_FLAG_ACTION, "did not open")]
)
def test_database_down_during_withdraw_or_edit_tells_the_reporter_it_was_not_done(
    down: SlackSender, fake_slack_api: FakeSlackApi, action_id: str, what: str
) -> None:
    reply = down.interaction(block_action(action_id, "1", response_url=fake_slack_api.response_url("hooks/button")))

    assert reply.status == 200
    assert what in told_not_done(fake_slack_api, "hooks/button")


def test_database_down_during_the_outcome_dm_switch_tells_the_reporter_it_was_not_done(
    down: SlackSender, fake_slack_api: FakeSlackApi
) -> None:
    switch = block_action(ids.OUTCOME_DMS_ACTION, "", user_id="U1", from_home=True)
    switch["actions"] = [
        {"type": "checkboxes", "action_id": ids.OUTCOME_DMS_ACTION, "block_id": "b", "selected_options": []}
    ]

    assert down.interaction(switch).status == 200

    assert "not turned off" in told_not_done(fake_slack_api, "chat.postMessage")  # a DM: Home has no response_url


def test_database_down_when_saving_settings_tells_the_admin_and_gives_their_choices_back(
    slack: SlackSender, down: SlackSender, fake_slack_api: FakeSlackApi
) -> None:
    from tests.views import opened_view, submission

    slack.interaction(block_action(ids.DIGEST_SETTINGS_ACTION, "", user_id=ADMIN, from_home=True))
    view = opened_view(fake_slack_api.wait_for("views.update")[0])  # the form, while the database answered
    answers = {
        ids.DIGEST_CHANNEL_BLOCK: "C0LEADS",
        ids.DIGEST_WEEKDAY_BLOCK: "fri",
        ids.DIGEST_TIMEZONE_BLOCK: "Europe/Paris",
    }

    assert down.interaction(submission(view, answers, user_id=ADMIN)).status == 200

    text = told_not_done(fake_slack_api, "chat.postMessage")
    assert "settings were not saved" in text
    assert "C0LEADS" in text and "fri" in text and "Europe/Paris" in text  # nothing chosen is lost


def test_database_down_when_marking_not_an_issue_tells_the_lead_and_gives_the_reason_back(
    down: SlackSender, fake_slack_api: FakeSlackApi
) -> None:
    from bot.blocks.origin import ModalOrigin
    from bot.blocks.outcomes import not_an_issue_modal
    from tests.views import submission

    origin = ModalOrigin(flag_number=7, response_url=fake_slack_api.response_url("hooks/digest"))  # flag #7
    modal = not_an_issue_modal(origin)
    payload = submission(modal, {ids.REASON_BLOCK: "The regulator set that date"}, user_id=ADMIN)
    payload["view"]["private_metadata"] = modal["private_metadata"]

    assert down.interaction(payload).status == 200

    text = told_not_done(fake_slack_api, "hooks/digest")
    assert "#7 was not marked not an issue" in text
    assert "The regulator set that date" in text


def test_work_after_the_answer_that_fails_unexpectedly_is_told_to_the_user_with_its_reference(
    down: SlackSender, fake_slack_api: FakeSlackApi, caplog: pytest.LogCaptureFixture
) -> None:
    # The CSV download runs after the ack; with the database down it fails past every expected error.
    down.interaction(block_action(ids.EXPORT_CSV_ACTION, "", user_id=ADMIN, from_home=True))

    [told] = fake_slack_api.wait_for("chat.postMessage")
    assert told.body["channel"] == ADMIN
    text = json.dumps(told.body)
    assert "Something went wrong" in text
    [logged] = [r for r in caplog.records if r.getMessage() == "after-ack work failed"]
    assert getattr(logged, "error_ref", None) and logged.error_ref in text  # the same reference, in the log and the DM
