"""The clauses tests file flags under, by keyword: a workspace's agreement is seeded on first use."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.orm import Session, sessionmaker

from bot.domain.agreement import DEFAULT_AGREEMENT, Agreement, Clause, agreement_of
from bot.domain.digest import TREND_WEEKS, SideCount, side_counts


def clause_id(db: sessionmaker[Session], keyword: str, team_id: str = "T1") -> int:
    """The stored id of `keyword`'s clause in `team_id`'s agreement (seeding the default one if need be)."""
    clause = agreement_of(db, team_id=team_id).clause(keyword)
    assert clause is not None and clause.id, f"no clause {keyword!r} in {team_id}"
    return clause.id


# The default agreement as a workspace stores it (ids 1 to 13), for pure builders that need no database.
STORED_DEFAULT = Agreement("T1", tuple(replace(c, id=i) for i, c in enumerate(DEFAULT_AGREEMENT, start=1)))


def clause(keyword: str) -> Clause:
    found = STORED_DEFAULT.clause(keyword)
    assert found is not None, keyword
    return found


def sides_with(counts: dict[str, int], previous: dict[str, int] | None = None) -> tuple[SideCount, ...]:
    """The digest's sides for STORED_DEFAULT with {keyword: flags} in the period (and in the one before)."""
    last = TREND_WEEKS - 1
    by_bucket = {(last, clause(k).id): n for k, n in counts.items()}
    by_bucket |= {(last - 1, clause(k).id): n for k, n in (previous or {}).items()}
    return side_counts(STORED_DEFAULT, by_bucket)
