"""Queries about whole workspaces: uninstall records, and deleting everything one workspace left behind."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.db.models import Base, WorkspaceUninstall


def get_uninstall(session: Session, *, team_id: str, lock: bool = False) -> WorkspaceUninstall | None:
    """lock: hold the row (PostgreSQL) so a re-install cannot cancel the purge halfway through it."""
    stmt = select(WorkspaceUninstall).where(WorkspaceUninstall.team_id == team_id)
    return session.scalar(stmt.with_for_update() if lock else stmt)


def add_uninstall(session: Session, *, team_id: str, uninstalled_at: datetime) -> WorkspaceUninstall:
    row = WorkspaceUninstall(team_id=team_id, uninstalled_at=uninstalled_at)
    session.add(row)
    session.flush()
    return row


def delete_uninstall(session: Session, *, team_id: str) -> bool:
    """True if there was a pending uninstall to forget."""
    return session.execute(delete(WorkspaceUninstall).where(WorkspaceUninstall.team_id == team_id)).rowcount > 0


def list_uninstalled_team_ids(session: Session, *, before: datetime) -> list[str]:
    stmt = (
        select(WorkspaceUninstall.team_id)
        .where(WorkspaceUninstall.uninstalled_at < before)
        .order_by(WorkspaceUninstall.team_id)
    )
    return list(session.scalars(stmt))


def delete_team_rows(session: Session, *, team_id: str) -> dict[str, int]:
    """Delete every row of `team_id` from every model table with a team_id column; {table: rows deleted}.

    Walks `Base.metadata`, so a table added later is covered without touching this. Children first, so a
    foreign key between two workspace tables never blocks the delete.
    """
    deleted: dict[str, int] = {}
    for table in reversed(Base.metadata.sorted_tables):
        if "team_id" in table.columns:
            deleted[table.name] = session.execute(delete(table).where(table.c.team_id == team_id)).rowcount
    return deleted
