"""Queries for what the leads learn: response times, claimed constraints, the weekly trend. All scoped by team.

What leads may see (released flags: held ones are in no figure), since when (their release), and what the figures
are grouped by (the flag's clause, which the domain puts on its side) are each defined once, here.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from bot.db.counts import count_released
from bot.db.models import DATED_OR_CLAIMED, Flag, FlagStatusChange

ANSWERED_BEFORE_RELEASE_TOLERANCE = timedelta(days=1)


def visible_since() -> ColumnElement[datetime]:
    """When a flag became visible to leads: its release (a named flag is released as it is stored)."""
    return Flag.released_at


def group_key() -> ColumnElement[int]:
    """What the figures are counted by: the flag's clause (bot.domain.insights groups the clauses by side). A column of
    the flags' time indexes, so counting stays index-only, and a clause moved to the other side takes its flags."""
    return Flag.clause_id


def visible_to_leads() -> ColumnElement[bool]:
    """The flags leads may see and count: released ones, as bot.db.flags.visible_to_leads says for every surface."""
    return Flag.released_at.is_not(None)


def _bucket(column: ColumnElement[datetime], boundaries: Sequence[datetime]) -> ColumnElement[int]:
    return case(*((column < upper, index) for index, upper in enumerate(boundaries[1:])), else_=len(boundaries) - 1)


def count_visible_flags(
    session: Session, *, team_id: str, boundaries: Sequence[datetime], due_before: datetime
) -> list[tuple[int, int, bool, int]]:
    """(bucket, clause id, visible at or before `due_before`, count) of the flags that became visible in
    [boundaries[0], boundaries[-1]); bucket i is [boundaries[i], boundaries[i+1]). From the counts kept per day
    (bot.db.counts), `due_before` being one more boundary."""
    due_until = due_before + timedelta(microseconds=1)  # "at or before": the half-open bucket below it
    inner = {*boundaries[1:-1], *([due_until] if boundaries[0] < due_until < boundaries[-1] else [])}
    edges = [boundaries[0], *sorted(inner), boundaries[-1]]
    counts = count_released(session, team_id=team_id, boundaries=edges)
    return [
        (bisect.bisect_right(boundaries, edges[piece]) - 1, clause_id, edges[piece] < due_until, count)
        for (piece, clause_id), count in counts.items()
    ]


def count_dated_and_claimed(
    session: Session, *, team_id: str, boundaries: Sequence[datetime]
) -> list[tuple[int, int, bool, bool, str | None, int]]:
    """(bucket, clause id, has a demanded date, claims a constraint, verdict, count) of the flags with a date or a claim
    that became visible in the window: only those rows are visited (the partial index ix_flags_dated_or_claimed)."""
    visible = visible_since()
    bucket = _bucket(visible, boundaries)
    dated = case((Flag.date_demanded.is_not(None), 1), else_=0)
    claimed = case((Flag.external_constraint.is_not(None), 1), else_=0)
    stmt = (
        select(bucket, group_key(), dated, claimed, Flag.constraint_verdict, func.count())
        .where(
            Flag.team_id == team_id,
            DATED_OR_CLAIMED,
            visible_to_leads(),
            visible >= boundaries[0],
            visible < boundaries[-1],
        )
        .group_by(bucket, group_key(), dated, claimed, Flag.constraint_verdict)
    )
    return [
        (int(b), group, bool(d), bool(c), verdict, int(count)) for b, group, d, c, verdict, count in session.execute(stmt)
    ]


def first_responses(
    session: Session, *, team_id: str, since: datetime, until: datetime
) -> Iterator[tuple[int, datetime, datetime]]:
    """(clause id, visible since, first response) of flags that became visible in [since, until) and that a lead answered
    (acknowledged, or any later status) before `until`, one row at a time while the session is open: a busy window has
    thousands, and holding them all would be most of a digest's memory. Only a visible flag can be answered
    (bot.domain.outcomes.change_status), so the changes read start with the window, less a day for clocks that
    disagree between processes, instead of with the workspace's history."""
    visible = visible_since()
    first = (
        select(FlagStatusChange.flag_id, func.min(FlagStatusChange.changed_at).label("answered_at"))
        .where(
            FlagStatusChange.team_id == team_id,
            FlagStatusChange.to_status != "open",
            FlagStatusChange.changed_at >= since - ANSWERED_BEFORE_RELEASE_TOLERANCE,
            FlagStatusChange.changed_at < until,
        )
        .group_by(FlagStatusChange.flag_id)
        .subquery()
    )
    stmt = (
        select(group_key(), visible, first.c.answered_at)
        .join(first, first.c.flag_id == Flag.id)
        .where(Flag.team_id == team_id, visible_to_leads(), visible >= since, visible < until)
    )
    # A Core result: the ORM's would fetch every row before giving the first.
    for group, visible, answered in session.connection().execute(stmt):
        yield group, visible, answered


def list_resolutions(
    session: Session, *, team_id: str, since: datetime, until: datetime
) -> list[tuple[int, datetime, datetime]]:
    """(clause id, visible since, resolved at) of flags resolved or closed in [since, until)."""
    stmt = select(group_key(), visible_since(), Flag.resolved_at).where(
        Flag.team_id == team_id, visible_to_leads(), Flag.resolved_at >= since, Flag.resolved_at < until
    )
    return [(group, visible, resolved) for group, visible, resolved in session.execute(stmt)]
