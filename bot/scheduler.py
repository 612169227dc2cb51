"""The clock process (`python -m bot scheduler`): wakes every few minutes and sends each workspace's digest
once its chosen weekday and hour have come, in its timezone; hourly, it deletes flags past their workspace's
retention period and the data of workspaces uninstalled longer than PURGE_AFTER_DAYS ago. A failed tick is
logged and the next one retries. This module is the job table only: each job calls a flow."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Config
from bot.flows.digest import run_due_digests
from bot.flows.housekeeping import run_purges
from bot.slack.people import People
from bot.slack.tokens import Workspaces

TICK_SECONDS = 300
PURGE_SECONDS = 3600


def build_scheduler(
    db: sessionmaker[Session],
    workspaces: Workspaces,
    config: Config,
    *,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> BlockingScheduler:
    people = People()  # users.info answers, kept a few minutes across ticks

    def tick() -> None:
        run_due_digests(db, workspaces, default_channel=config.digest_channel, now=clock(), people=people)

    def purge() -> None:
        run_purges(db, now=clock(), grace=timedelta(days=config.purge_after_days))

    scheduler = BlockingScheduler(timezone=UTC)
    # coalesce + one instance: a tick that overruns (or a machine that slept) never runs twice at once.
    scheduler.add_job(
        tick, "interval", seconds=TICK_SECONDS, id="digests", coalesce=True, max_instances=1, next_run_time=datetime.now(UTC)
    )
    scheduler.add_job(purge, "interval", seconds=PURGE_SECONDS, id="purges", coalesce=True, max_instances=1)
    return scheduler
