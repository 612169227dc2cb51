"""Queries on agreement_clauses: a workspace's working agreement. Every function takes `team_id`."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.db.models import AgreementClause, FlagCounter


def list_clauses(session: Session, *, team_id: str) -> list[AgreementClause]:
    """In the order they were added (the default agreement's own order first)."""
    stmt = select(AgreementClause).where(AgreementClause.team_id == team_id).order_by(AgreementClause.id)
    return list(session.scalars(stmt))


def lock_clauses(session: Session, *, team_id: str) -> None:
    """Hold the workspace's clause rows until the transaction ends (PostgreSQL; SQLite takes one writer at a time)."""
    session.execute(select(AgreementClause.id).where(AgreementClause.team_id == team_id).with_for_update())


def insert_clauses_if_missing(session: Session, *, team_id: str, clauses: Sequence[dict[str, object]]) -> int:
    """Insert the clauses whose keyword the workspace does not have, in one INSERT … ON CONFLICT DO NOTHING: a
    second process seeding the same workspace at once waits for the first and then inserts nothing. How many were."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    rows = [{**clause, "team_id": team_id} for clause in clauses]
    stmt = insert(AgreementClause).values(rows).on_conflict_do_nothing(index_elements=["team_id", "keyword"])
    # Counted from RETURNING, not rowcount: psycopg reports -1 for this multi-row INSERT, which reads as "inserted".
    return len(session.execute(stmt.returning(AgreementClause.id)).all())


def add_clause(session: Session, *, team_id: str, keyword: str, side: str, title: str, description: str) -> AgreementClause:
    row = AgreementClause(team_id=team_id, keyword=keyword, side=side, title=title, description=description, active=True)
    session.add(row)
    session.flush()
    return row


def get_agreement_revision(session: Session, *, team_id: str) -> str | None:
    return session.scalar(select(FlagCounter.agreement_revision).where(FlagCounter.team_id == team_id))


def set_agreement_revision(session: Session, *, team_id: str, revision: str, only_if_missing: bool = False) -> str:
    """Give the workspace's agreement a new revision (or, `only_if_missing`, keep the one it has): the revision it
    has now. Creates the workspace's counter row if it has none yet (numbers start after 0 all the same)."""
    table = FlagCounter.__table__
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    stmt = insert(table).values(team_id=team_id, last_number=0, agreement_revision=revision)
    new = stmt.excluded.agreement_revision
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.team_id],
        set_={"agreement_revision": func.coalesce(table.c.agreement_revision, new) if only_if_missing else new},
    )
    return session.execute(stmt.returning(table.c.agreement_revision)).scalar_one()
