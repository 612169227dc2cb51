"""The digest's numbers come from SQL over one workspace's flags: counts, change, 8-period trend, listed flags."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.db import flags as flag_store
from bot.domain.agreement import Side, retire_clause
from bot.domain.digest import LISTED_FLAGS_MAX, InvalidWeek, build_digest, calendar_week, rolling_week
from tests.clauses import clause_id

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # a Monday


def add(
    db: sessionmaker[Session],
    *,
    at: datetime,
    team_id: str = "T1",
    keyword: str = "deadline",
    named: str | None = None,
    summary: str = "flag",
) -> None:
    clause = clause_id(db, keyword, team_id)
    with db.begin() as session:
        flag_store.add_flag(
            session,
            team_id=team_id,
            clause_id=clause,
            summary=summary,
            reporter_hash="h" * 64,
            reporter_user_id=named,
            created_at=at,
            released_at=at,  # stored released, as flags stored before holding
        )


def counts_of(digest) -> dict[str, tuple[int, int, tuple[int, ...]]]:
    """{keyword: (count, previous, trend)} of the clauses that have flags in the trend's window."""
    return {c.clause.keyword: (c.count, c.previous, c.trend) for c in digest.counts if c.count or c.previous or any(c.trend)}


def test_counts_change_and_trend_per_clause(db: sessionmaker[Session]) -> None:
    add(db, at=NOW - timedelta(minutes=1))  # a minute old: in the rolling week
    add(db, at=NOW - timedelta(days=6), keyword="feature")
    add(db, at=NOW - timedelta(days=8))  # the period before
    add(db, at=NOW - timedelta(days=8, hours=1))
    add(db, at=NOW - timedelta(days=7 * 7 + 1))  # the oldest of 8 periods
    add(db, at=NOW - timedelta(days=7 * 8 + 1))  # older than the trend: ignored
    add(db, at=NOW + timedelta(minutes=1))  # after "now": not in this digest
    add(db, at=NOW - timedelta(minutes=1), team_id="T2")  # another workspace

    digest = build_digest(db, team_id="T1", period=rolling_week(NOW))

    assert digest.total == 2
    assert digest.previous_total == 2
    assert counts_of(digest) == {
        "deadline": (1, 2, (1, 0, 0, 0, 0, 0, 2, 1)),
        "feature": (1, 0, (0, 0, 0, 0, 0, 0, 0, 1)),
    }
    assert [f.clause.keyword for f in digest.flags] == ["feature", "deadline"]  # oldest first


def test_each_side_has_its_total_change_and_trend_and_other_stands_apart(db: sessionmaker[Session]) -> None:
    add(db, at=NOW - timedelta(minutes=1), keyword="deadline")
    add(db, at=NOW - timedelta(minutes=2), keyword="estate")
    add(db, at=NOW - timedelta(days=8), keyword="health")
    add(db, at=NOW - timedelta(minutes=3), keyword="explain")
    add(db, at=NOW - timedelta(days=15), keyword="explain")
    add(db, at=NOW - timedelta(minutes=4), keyword="other")

    digest = build_digest(db, team_id="T1", period=rolling_week(NOW))

    by_side = {s.side: (s.count, s.previous, s.trend) for s in digest.sides}
    assert by_side == {
        Side.PRODUCT: (2, 0, (0, 0, 0, 0, 0, 0, 0, 2)),
        Side.TECH: (1, 1, (0, 0, 0, 0, 0, 1, 1, 1)),
        None: (1, 0, (0, 0, 0, 0, 0, 0, 0, 1)),
    }
    assert [[c.clause.keyword for c in s.clauses] for s in digest.sides] == [
        ["deadline", "feature", "seat", "remedial", "priorities", "estate"],
        ["health", "urgent", "input", "reorder", "roadmap", "explain"],
        ["other"],
    ]


def test_a_retired_clause_shows_in_a_digest_that_covers_its_flags_and_not_in_one_that_does_not(
    db: sessionmaker[Session],
) -> None:
    add(db, at=NOW - timedelta(minutes=1), keyword="seat")
    retire_clause(db, team_id="T1", keyword="seat")

    covering = build_digest(db, team_id="T1", period=rolling_week(NOW))
    later = build_digest(db, team_id="T1", period=rolling_week(NOW + timedelta(days=30)))

    [seat] = [c for c in covering.counts if c.clause.keyword == "seat"]
    assert (seat.count, seat.clause.active) == (1, False)
    assert "seat" not in [c.clause.keyword for c in later.counts]


def test_only_named_reporters_reach_the_digest(db: sessionmaker[Session]) -> None:
    add(db, at=NOW - timedelta(hours=1), named="U0NAMED", summary="named")
    add(db, at=NOW - timedelta(hours=2), summary="anonymous")

    digest = build_digest(db, team_id="T1", period=rolling_week(NOW))

    assert {f.summary: f.reporter_user_id for f in digest.flags} == {"named": "U0NAMED", "anonymous": None}


def test_calendar_week_runs_monday_to_monday_in_the_workspaces_timezone() -> None:
    period = calendar_week("2026-W48", ZoneInfo("Europe/Paris"))

    assert period.start == datetime(2026, 11, 22, 23, 0, tzinfo=UTC)  # Monday 23 Nov 00:00 in Paris (UTC+1)
    assert period.end == datetime(2026, 11, 29, 23, 0, tzinfo=UTC)


def test_a_flag_is_in_the_calendar_week_of_its_local_time(db: sessionmaker[Session]) -> None:
    add(db, at=datetime(2026, 11, 22, 23, 30, tzinfo=UTC), summary="Monday 00:30 in Paris")
    add(db, at=datetime(2026, 11, 22, 22, 30, tzinfo=UTC), summary="Sunday 23:30 in Paris")

    digest = build_digest(db, team_id="T1", period=calendar_week("2026-W48", ZoneInfo("Europe/Paris")))

    assert [f.summary for f in digest.flags] == ["Monday 00:30 in Paris"]


@pytest.mark.parametrize("week", ["2026-48", "2026-W54", "last week", ""])
def test_a_malformed_week_is_refused(week: str) -> None:
    with pytest.raises(InvalidWeek):
        calendar_week(week, ZoneInfo("UTC"))


def test_listed_flags_are_capped_but_counted(db: sessionmaker[Session]) -> None:
    other = clause_id(db, "other")
    with db.begin() as session:
        for i in range(LISTED_FLAGS_MAX + 50):
            flag_store.add_flag(
                session,
                team_id="T1",
                clause_id=other,
                summary=f"f{i}",
                reporter_hash="h" * 64,
                created_at=NOW - timedelta(minutes=i + 1),
                released_at=NOW - timedelta(minutes=i + 1),  # stored released, as flags stored before holding
            )

    digest = build_digest(db, team_id="T1", period=rolling_week(NOW))

    assert digest.total == LISTED_FLAGS_MAX + 50
    assert len(digest.flags) == LISTED_FLAGS_MAX
    assert digest.unlisted == 50
