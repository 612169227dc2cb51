"""The clock's hourly job sweeps what only had to live for a while: OAuth states of installs never finished, and the
request keys that make a retried delivery store one flag. Nothing else goes with them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.db.models import Flag
from bot.db.slack_stores import OAUTH_STATES
from bot.flows.housekeeping import run_purges
from tests.slack_requests import Browser, SlackSender

GRACE = timedelta(days=30)


def oauth_state_count(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(OAUTH_STATES)) or 0


def request_keys(db: sessionmaker[Session]) -> list[str | None]:
    with db() as session:
        return list(session.scalars(select(Flag.request_key).order_by(Flag.id)))


def test_the_hourly_job_deletes_install_states_past_their_10_minutes_only(
    browser: Browser, db: sessionmaker[Session], engine: Engine
) -> None:
    for _ in range(3):  # anonymous visits to /slack/install, never finished
        browser.start_install()
    now = datetime.now(UTC)

    run_purges(db, now=now + timedelta(minutes=5), grace=GRACE)
    assert oauth_state_count(engine) == 3  # still usable

    run_purges(db, now=now + timedelta(minutes=11), grace=GRACE)
    assert oauth_state_count(engine) == 0


def test_the_hourly_job_forgets_request_keys_after_slacks_retries_and_keeps_the_flags(
    slack: SlackSender, db: sessionmaker[Session]
) -> None:
    slack.command("Ship search by Friday")
    [key] = request_keys(db)
    assert key is not None
    now = datetime.now(UTC)

    run_purges(db, now=now + timedelta(hours=1), grace=GRACE)
    assert request_keys(db) == [key]  # a retry could still come

    run_purges(db, now=now + timedelta(days=3), grace=GRACE)
    assert request_keys(db) == [None]  # the flag stays, its delivery key goes
