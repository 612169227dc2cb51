"""Queries on workspace_settings: one row per workspace, created on first change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import WorkspaceSettings


def get_settings(session: Session, *, team_id: str) -> WorkspaceSettings | None:
    return session.get(WorkspaceSettings, team_id)


def get_min_reporters(session: Session, *, team_id: str) -> int | None:
    """One column, not the row: every held flag asks it as it is stored."""
    return session.scalar(select(WorkspaceSettings.min_reporters).where(WorkspaceSettings.team_id == team_id))


def list_settings(session: Session) -> list[WorkspaceSettings]:
    return list(session.scalars(select(WorkspaceSettings).order_by(WorkspaceSettings.team_id)))


def update_settings(session: Session, *, team_id: str, now: datetime, **changes: Any) -> WorkspaceSettings:
    row = session.get(WorkspaceSettings, team_id) or WorkspaceSettings(team_id=team_id)
    for name, value in changes.items():
        setattr(row, name, value)
    row.updated_at = now
    session.add(row)
    return row
