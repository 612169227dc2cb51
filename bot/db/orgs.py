"""Queries about the workspaces of Enterprise Grid orgs served by an org-wide installation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.db.models import OrgWorkspace


def get_org_workspace(session: Session, *, team_id: str) -> OrgWorkspace | None:
    return session.get(OrgWorkspace, team_id)


def add_org_workspace(session: Session, *, team_id: str, enterprise_id: str, first_seen_at: datetime) -> OrgWorkspace:
    row = OrgWorkspace(team_id=team_id, enterprise_id=enterprise_id, first_seen_at=first_seen_at)
    session.add(row)
    session.flush()
    return row


def list_org_team_ids(session: Session, *, enterprise_id: str) -> list[str]:
    stmt = select(OrgWorkspace.team_id).where(OrgWorkspace.enterprise_id == enterprise_id).order_by(OrgWorkspace.team_id)
    return list(session.scalars(stmt))


def delete_org_workspaces(session: Session, *, enterprise_id: str, team_ids: list[str]) -> list[str]:
    """Forget that the org's installation serves these workspaces (of this org only); the team ids forgotten."""
    stmt = (
        delete(OrgWorkspace)
        .where(OrgWorkspace.enterprise_id == enterprise_id, OrgWorkspace.team_id.in_(team_ids))
        .returning(OrgWorkspace.team_id)
    )
    return sorted(session.scalars(stmt))
