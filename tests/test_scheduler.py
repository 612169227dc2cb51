"""The clock process sends each digest once its weekday and hour have come in the workspace's timezone.

Time is injected: `run_due_digests(now=...)` and the scheduler's job run with a clock the test controls.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Config
from bot.db import flags as flag_store
from bot.domain.uninstalls import record_uninstall
from bot.domain.workspace_settings import change_settings
from bot.flows.digest import run_due_digests
from bot.scheduler import build_scheduler
from bot.slack.tokens import Workspaces
from tests.clauses import clause_id
from tests.fake_slack_api import FakeSlackApi

MONDAY_0859_UTC = datetime(2026, 11, 30, 8, 59, tzinfo=UTC)


def tick(db: sessionmaker[Session], workspaces: Workspaces, now: datetime) -> list[str]:
    return [r.status for r in run_due_digests(db, workspaces, default_channel="C0LEADS", now=now)]


def test_nothing_is_sent_before_monday_0900_and_the_digest_is_sent_once_after(
    db: sessionmaker[Session], workspaces: Workspaces, fake_slack_api: FakeSlackApi
) -> None:
    assert tick(db, workspaces, MONDAY_0859_UTC) == []
    assert tick(db, workspaces, MONDAY_0859_UTC + timedelta(minutes=1)) == ["posted"]
    assert tick(db, workspaces, MONDAY_0859_UTC + timedelta(minutes=6)) == []
    assert tick(db, workspaces, MONDAY_0859_UTC + timedelta(days=3)) == []  # later the same week: done already
    assert tick(db, workspaces, MONDAY_0859_UTC + timedelta(days=7, minutes=1)) == ["posted"]  # next week

    assert len(fake_slack_api.calls_to("chat.postMessage")) == 2


def test_a_clock_that_was_down_at_the_hour_catches_up_later_that_week(
    db: sessionmaker[Session], workspaces: Workspaces, fake_slack_api: FakeSlackApi
) -> None:
    assert tick(db, workspaces, MONDAY_0859_UTC + timedelta(days=1)) == ["posted"]


def test_weekday_hour_and_timezone_come_from_the_workspaces_settings(
    db: sessionmaker[Session], workspaces: Workspaces, fake_slack_api: FakeSlackApi
) -> None:
    fake_slack_api.add_channel("C0OTHER")
    change_settings(
        db,
        team_id="T1",
        now=MONDAY_0859_UTC,
        default_channel=None,
        channel_id="C0OTHER",
        weekday="fri",
        hour=17,
        timezone="America/New_York",
    )
    friday_1659_new_york = datetime(2026, 12, 4, 21, 59, tzinfo=UTC)  # EST is UTC-5

    assert tick(db, workspaces, friday_1659_new_york - timedelta(days=4)) == []  # Monday: not the chosen day
    assert tick(db, workspaces, friday_1659_new_york) == []
    assert tick(db, workspaces, friday_1659_new_york + timedelta(minutes=1)) == ["posted"]

    [post] = fake_slack_api.calls_to("chat.postMessage")
    assert post.body["channel"] == "C0OTHER"


def test_a_slack_error_in_one_tick_is_retried_on_the_next(
    db: sessionmaker[Session], workspaces: Workspaces, fake_slack_api: FakeSlackApi, caplog: pytest.LogCaptureFixture
) -> None:
    fake_slack_api.fail("chat.postMessage", error="service_unavailable")
    due = MONDAY_0859_UTC + timedelta(minutes=1)

    with caplog.at_level(logging.ERROR):
        assert tick(db, workspaces, due) == ["failed"]
    assert tick(db, workspaces, due + timedelta(minutes=5)) == ["posted"]
    assert "digest not posted" in caplog.text


def test_a_database_outage_in_one_tick_is_logged_and_survived(
    workspaces: Workspaces, fake_slack_api: FakeSlackApi, unreachable_database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    from bot.db.session import create_db_engine, create_session_factory

    down = create_session_factory(create_db_engine(unreachable_database_url))

    with caplog.at_level(logging.ERROR):
        assert tick(down, workspaces, MONDAY_0859_UTC + timedelta(minutes=1)) == []
    assert "digest check failed" in caplog.text
    assert fake_slack_api.calls_to("chat.postMessage") == []


def test_the_clock_process_runs_the_digest_and_purge_jobs_with_the_injected_clock(
    db: sessionmaker[Session], workspaces: Workspaces, config: Config, fake_slack_api: FakeSlackApi
) -> None:
    clock = lambda: MONDAY_0859_UTC + timedelta(hours=1)  # noqa: E731
    scheduler = build_scheduler(db, workspaces, replace(config, digest_channel="C0LEADS"), clock=clock)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    record_uninstall(db, team_id="T9", now=clock() - timedelta(days=31))
    add_flag(db, "T9")

    jobs["digests"].func()
    jobs["purges"].func()

    assert jobs["digests"].trigger.interval == timedelta(minutes=5)
    assert jobs["purges"].trigger.interval == timedelta(hours=1)
    assert len(fake_slack_api.calls_to("chat.postMessage")) == 1
    with db() as session:
        assert flag_store.list_flags(session, team_id="T9") == []


def add_flag(db: sessionmaker[Session], team_id: str) -> None:
    other = clause_id(db, "other", team_id)
    with db.begin() as session:
        flag_store.add_flag(
            session,
            team_id=team_id,
            clause_id=other,
            summary="x",
            reporter_hash="h" * 64,
            created_at=MONDAY_0859_UTC,
            released_at=None,  # held or not, an uninstalled workspace's flags are purged
        )
