"""Housekeeping the clock process runs hourly: retention, uninstalled workspaces' data, and what only had to outlive
Slack's retries or an install's 10 minutes."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.domain.deliveries import forget_old_deliveries, forget_old_request_keys
from bot.domain.retention import purge_expired_flags
from bot.domain.uninstalls import forget_expired_install_states, purge_uninstalled_workspaces

log = logging.getLogger(__name__)


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
