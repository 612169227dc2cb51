"""Queries on a workspace's settings: its workspace_settings row (one per workspace, created on first change) and
its leads list (workspace_leads)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.db.models import WorkspaceLead, WorkspaceSettings


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


def list_lead_ids(session: Session, *, team_id: str) -> list[str]:
    stmt = select(WorkspaceLead.user_id).where(WorkspaceLead.team_id == team_id).order_by(WorkspaceLead.user_id)
    return list(session.scalars(stmt))


def replace_leads(session: Session, *, team_id: str, user_ids: list[str]) -> None:
    session.execute(delete(WorkspaceLead).where(WorkspaceLead.team_id == team_id))
    session.add_all(WorkspaceLead(team_id=team_id, user_id=user_id) for user_id in dict.fromkeys(user_ids))


def is_lead(session: Session, *, team_id: str, user_id: str) -> bool:
    return session.get(WorkspaceLead, (team_id, user_id)) is not None
