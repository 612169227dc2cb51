"""The clock process (`python -m bot scheduler`): wakes every few minutes and sends each workspace's digest
once its chosen weekday and hour have come, in its timezone; hourly, it deletes flags past their workspace's
retention period and the data of workspaces uninstalled longer than PURGE_AFTER_DAYS ago. A failed tick is
logged and the next one retries."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.digest.send import SendResult, send_digest
from bot.domain import digest as digests
from bot.domain.deliveries import forget_old_deliveries, forget_old_request_keys
from bot.domain.retention import purge_expired_flags
from bot.domain.workspace_settings import effective_schedule
from bot.domain.workspaces import forget_expired_install_states, purge_uninstalled_workspaces
from bot.people import People
from bot.workspaces import Workspaces

log = logging.getLogger(__name__)
TICK_SECONDS = 300
PURGE_SECONDS = 3600


def run_due_digests(
    db: sessionmaker[Session],
    workspaces: Workspaces,
    *,
    default_channel: str | None,
    now: datetime,
    people: People | None = None,
) -> list[SendResult]:
    """Send every digest that is due and not yet sent this week. Safe to run any number of times, anywhere."""
    try:
        team_ids = workspaces.team_ids()
    except Exception as error:
        log.error("could not list workspaces", extra={"error": type(error).__name__})
        return []
    results = []
    for team_id in team_ids:
        try:
            schedule = effective_schedule(db, team_id=team_id, default_channel=default_channel)
            if now < schedule.due_at(now):
                continue
            if digests.is_week_done(db, team_id=team_id, iso_week=schedule.iso_week(now), now=now):
                continue
        except Exception as error:  # the database is down: try again next tick
            log.error("digest check failed", extra={"team_id": team_id, "error": type(error).__name__})
            continue
        try:  # one workspace's failure, whatever it is, never skips the others
            results.append(
                send_digest(db, workspaces, team_id=team_id, default_channel=default_channel, now=now, people=people)
            )
        except Exception as error:
            log.error("digest send failed", extra={"team_id": team_id, "error": type(error).__name__})
    return results


def run_purges(db: sessionmaker[Session], *, now: datetime, grace: timedelta) -> list[str]:
    """Retention first (each workspace's flags past its retention period), then uninstalled workspaces, then what
    only had to outlive Slack's retries or an install's 10 minutes (event ids, request keys, OAuth states)."""
    try:
        expired = purge_expired_flags(db, now=now)
        purged = purge_uninstalled_workspaces(db, now, grace)
        forget_old_deliveries(db, now=now)
        request_keys = forget_old_request_keys(db, now=now)
        install_states = forget_expired_install_states(db, now=now)
    except Exception as error:
        log.error("purge failed", extra={"error": type(error).__name__})
        return []
    if expired or purged:
        log.info("purged", extra={"expired_flags": expired, "uninstalled_team_ids": purged})
    if request_keys or install_states:
        log.info("swept", extra={"request_keys": request_keys, "oauth_states": install_states})
    return purged


def build_scheduler(
    db: sessionmaker[Session],
    workspaces: Workspaces,
    settings: Settings,
    *,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> BlockingScheduler:
    people = People()  # users.info answers, kept a few minutes across ticks

    def tick() -> None:
        run_due_digests(db, workspaces, default_channel=settings.digest_channel, now=clock(), people=people)

    def purge() -> None:
        run_purges(db, now=clock(), grace=timedelta(days=settings.purge_after_days))

    scheduler = BlockingScheduler(timezone=UTC)
    # coalesce + one instance: a tick that overruns (or a machine that slept) never runs twice at once.
    scheduler.add_job(
        tick, "interval", seconds=TICK_SECONDS, id="digests", coalesce=True, max_instances=1, next_run_time=datetime.now(UTC)
    )
    scheduler.add_job(purge, "interval", seconds=PURGE_SECONDS, id="purges", coalesce=True, max_instances=1)
    return scheduler
