"""Holding off (min_reporters 1) for tests of what leads see of a flag rather than of when they may see it."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.domain.workspace_settings import change_settings


def show_at_once(db: sessionmaker[Session], *team_ids: str) -> None:
    """Every anonymous flag of these workspaces is released as it is stored, as before holding existed."""
    for team_id in team_ids or ("T1",):
        change_settings(db, team_id=team_id, now=datetime.now(UTC), default_channel=None, min_reporters=1)
