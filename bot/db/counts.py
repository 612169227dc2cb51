"""Counting released flags by period, from the counts kept beside them (`flag_day_counts`, kept by triggers).

A period's whole UTC days are read from one row per day, clause and status; only the days a boundary cuts through are
counted from the flags themselves, so a count costs the days it spans plus at most one day's flags per boundary,
whatever the workspace's history. Exact: the same figures as counting the flags (tests/test_flag_day_counts.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise

from sqlalchemy import case, func, select, union_all
from sqlalchemy.orm import Session

from bot.db.flags import visible_to_leads
from bot.db.models import Flag, FlagDayCount

EVER = datetime(1970, 1, 1, tzinfo=UTC)  # a lower boundary before any flag
NEVER = datetime(9999, 1, 1, tzinfo=UTC)  # an upper boundary after any flag


def count_released(
    session: Session, *, team_id: str, boundaries: Sequence[datetime], statuses: Collection[str] | None = None
) -> dict[tuple[int, int], int]:
    """{(bucket, clause id): flags} of the workspace's released flags whose release is in [boundaries[0],
    boundaries[-1]), bucket i being [boundaries[i], boundaries[i+1]); only flags now in `statuses`, if given."""
    edges = [moment.astimezone(UTC) for moment in boundaries]
    cut = sorted({edge.date() for edge in edges if edge.time() != time(0)})  # days a boundary cuts through
    counts: dict[tuple[int, int], int] = defaultdict(int)
    for bucket, clause_id, flags in _whole_days(session, team_id, edges, cut, statuses):
        counts[bucket, clause_id] += flags
    for bucket, clause_id, flags in _cut_days(session, team_id, edges, cut, statuses):
        counts[bucket, clause_id] += flags
    return dict(counts)


def _whole_days(
    session: Session, team_id: str, edges: list[datetime], cut: list[date], statuses: Collection[str] | None
) -> list[tuple[int, int, int]]:
    """Bucket i's whole days are from the first midnight at or after its start to the day its end is on (a day its
    end cuts is counted from the flags; an end at midnight ends the day before)."""
    day = FlagDayCount.day
    spans = [(_first_whole_day(lower), upper.date()) for lower, upper in pairwise(edges)]
    if not any(first < end for first, end in spans):
        return []
    bucket = case(*((day < end, index) for index, (_, end) in enumerate(spans)), else_=len(spans) - 1)
    stmt = (
        select(bucket, FlagDayCount.clause_id, func.sum(FlagDayCount.flags))
        .where(FlagDayCount.team_id == team_id, day >= spans[0][0], day < spans[-1][1], day.not_in(cut))
        .group_by(bucket, FlagDayCount.clause_id)
    )
    if statuses is not None:
        stmt = stmt.where(FlagDayCount.status.in_(list(statuses)))
    return [(int(b), clause_id, int(flags)) for b, clause_id, flags in session.execute(stmt) if flags]


def _cut_days(
    session: Session, team_id: str, edges: list[datetime], cut: list[date], statuses: Collection[str] | None
) -> list[tuple[int, int, int]]:
    """One range of the flags' release index per cut day (UNION ALL): an OR of the days under one range over the whole
    period would have the planner walk every flag of the period."""
    released = Flag.released_at
    bucket = case(*((released < upper, index) for index, upper in enumerate(edges[1:])), else_=len(edges) - 2)
    per_day = []
    for day in cut:
        stmt = (
            select(bucket.label("bucket"), Flag.clause_id, func.count().label("flags"))
            .where(
                visible_to_leads(team_id),
                released >= max(edges[0], _midnight(day)),
                released < min(edges[-1], _midnight(day + timedelta(days=1))),
            )
            .group_by(bucket, Flag.clause_id)
        )
        if statuses is not None:
            stmt = stmt.where(Flag.status.in_(list(statuses)))
        per_day.append(stmt)
    if not per_day:
        return []
    return [(int(b), clause_id, int(flags)) for b, clause_id, flags in session.execute(union_all(*per_day))]


def _first_whole_day(moment: datetime) -> date:
    return moment.date() if moment.time() == time(0) else moment.date() + timedelta(days=1)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), UTC)
