"""Queries on agreement_clauses: a workspace's working agreement. Every function takes `team_id`."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.db.models import AgreementClause


def list_clauses(session: Session, *, team_id: str) -> list[AgreementClause]:
    """In the order they were added (the default agreement's own order first)."""
    stmt = select(AgreementClause).where(AgreementClause.team_id == team_id).order_by(AgreementClause.id)
    return list(session.scalars(stmt))


def lock_clauses(session: Session, *, team_id: str) -> None:
    """Hold the workspace's clause rows until the transaction ends (PostgreSQL; SQLite takes one writer at a time)."""
    session.execute(select(AgreementClause.id).where(AgreementClause.team_id == team_id).with_for_update())


def insert_clauses_if_missing(session: Session, *, team_id: str, clauses: Sequence[dict[str, object]]) -> None:
    """Insert the clauses whose keyword the workspace does not have, in one INSERT … ON CONFLICT DO NOTHING: a
    second process seeding the same workspace at once waits for the first and then inserts nothing."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    rows = [{**clause, "team_id": team_id} for clause in clauses]
    session.execute(insert(AgreementClause).values(rows).on_conflict_do_nothing(index_elements=["team_id", "keyword"]))


def add_clause(session: Session, *, team_id: str, keyword: str, side: str, title: str, description: str) -> AgreementClause:
    row = AgreementClause(team_id=team_id, keyword=keyword, side=side, title=title, description=description, active=True)
    session.add(row)
    session.flush()
    return row
