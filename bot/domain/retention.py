"""Flags are kept for each workspace's retention period (default 365 days), then deleted with their history."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.db import outcomes as outcome_store
from bot.domain.digest import known_team_ids
from bot.domain.workspace_settings import effective_retention_days


def purge_expired_flags(db: sessionmaker[Session], *, now: datetime) -> dict[str, int]:
    """Delete every workspace's flags older than its retention period; {team_id: flags deleted}, where any."""
    deleted = {}
    for team_id in known_team_ids(db):
        cutoff = now - timedelta(days=effective_retention_days(db, team_id=team_id))
        with db.begin() as session:  # one transaction per workspace: a failure leaves the others done
            count = outcome_store.delete_flags_created_before(session, team_id=team_id, before=cutoff)
        if count:
            deleted[team_id] = count
    return deleted
