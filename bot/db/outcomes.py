"""Queries for flag outcomes: the status history, reporter preferences, retention. All scoped by team."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from bot.db.counts import EVER, NEVER, count_released
from bot.db.flags import visible_to_leads
from bot.db.models import Flag, FlagConstraintReview, FlagStatusChange, ReporterPreference


def add_status_change(
    session: Session,
    *,
    flag: Flag,
    from_status: str,
    to_status: str,
    reason: str | None,
    changed_by: str,
    changed_at: datetime,
) -> FlagStatusChange:
    change = FlagStatusChange(
        team_id=flag.team_id,
        flag_id=flag.id,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        changed_by=changed_by,
        changed_at=changed_at,
    )
    session.add(change)
    return change


def list_status_changes(session: Session, *, team_id: str, flag_id: int) -> list[FlagStatusChange]:
    stmt = (
        select(FlagStatusChange)
        .where(FlagStatusChange.team_id == team_id, FlagStatusChange.flag_id == flag_id)
        .order_by(FlagStatusChange.changed_at, FlagStatusChange.id)
    )
    return list(session.scalars(stmt))


def get_outcome_dms(session: Session, *, team_id: str, reporter_hash: str) -> bool:
    preference = session.get(ReporterPreference, (team_id, reporter_hash))
    return True if preference is None else preference.outcome_dms


def set_outcome_dms(session: Session, *, team_id: str, reporter_hash: str, enabled: bool) -> None:
    preference = session.get(ReporterPreference, (team_id, reporter_hash))
    if preference is None:
        session.add(ReporterPreference(team_id=team_id, reporter_hash=reporter_hash, outcome_dms=enabled))
    else:
        preference.outcome_dms = enabled


def list_open_flags(session: Session, *, team_id: str, open_statuses: list[str], limit: int) -> list[Flag]:
    """The open flags leads may see, the latest released first (within a batch, by their shuffled numbers)."""
    stmt = (
        select(Flag)
        .where(visible_to_leads(team_id), Flag.status.in_(open_statuses))
        .order_by(Flag.released_at.desc(), Flag.number.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


def count_open_flags(session: Session, *, team_id: str, open_statuses: list[str], stale_before: datetime) -> tuple[int, int]:
    """(flags leads may see still open, of which released before `stale_before`), from the counts kept per day
    (bot.db.counts): a row per day and clause, not a row per open flag."""
    counts = count_released(session, team_id=team_id, boundaries=[EVER, stale_before, NEVER], statuses=open_statuses)
    stale = sum(flags for (bucket, _), flags in counts.items() if bucket == 0)
    return sum(counts.values()), stale


def count_resolved_between(session: Session, *, team_id: str, since: datetime, until: datetime) -> int:
    stmt = (
        select(func.count())
        .select_from(Flag)
        .where(visible_to_leads(team_id), Flag.resolved_at >= since, Flag.resolved_at < until)
    )
    return session.scalar(stmt) or 0


def list_resolution_times(
    session: Session, *, team_id: str, since: datetime, until: datetime
) -> list[tuple[datetime, datetime]]:
    """(released_at, resolved_at) of flags resolved in the window: a flag's time to resolution counts from when leads
    could first see it. Resolutions are leads' clicks, so few rows."""
    stmt = select(Flag.released_at, Flag.resolved_at).where(
        visible_to_leads(team_id), Flag.resolved_at >= since, Flag.resolved_at < until
    )
    return [(released, resolved) for released, resolved in session.execute(stmt)]


def delete_flags_created_before(session: Session, *, team_id: str, before: datetime) -> int:
    """Retention: history rows go with their flags (ON DELETE CASCADE)."""
    return session.execute(delete(Flag).where(Flag.team_id == team_id, Flag.created_at < before)).rowcount


def compare_and_set_status(
    session: Session, *, flag: Flag, expected: str, to_status: str, reason: str | None, resolved_at: datetime | None
) -> bool:
    """Set the status only if it is still `expected`: of two concurrent changes (a click and its retry), one wins."""
    result = session.execute(
        update(Flag)
        .where(Flag.team_id == flag.team_id, Flag.id == flag.id, Flag.status == expected)
        .values(status=to_status, status_reason=reason, resolved_at=resolved_at)
        .execution_options(synchronize_session=False)
    )
    session.refresh(flag)
    return result.rowcount == 1


def compare_and_set_verdict(session: Session, *, flag: Flag, expected: str | None, verdict: str) -> bool:
    """Set the constraint verdict only if it is still `expected`: of a click and its retry, one wins."""
    still = Flag.constraint_verdict.is_(None) if expected is None else Flag.constraint_verdict == expected
    result = session.execute(
        update(Flag)
        .where(Flag.team_id == flag.team_id, Flag.id == flag.id, still)
        .values(constraint_verdict=verdict)
        .execution_options(synchronize_session=False)
    )
    session.refresh(flag)
    return result.rowcount == 1


def add_constraint_review(
    session: Session, *, flag: Flag, from_verdict: str | None, verdict: str, reviewed_by: str, reviewed_at: datetime
) -> FlagConstraintReview:
    review = FlagConstraintReview(
        team_id=flag.team_id,
        flag_id=flag.id,
        from_verdict=from_verdict,
        verdict=verdict,
        reviewed_by=reviewed_by,
        reviewed_at=reviewed_at,
    )
    session.add(review)
    return review


def list_constraint_reviews(session: Session, *, team_id: str, flag_id: int) -> list[FlagConstraintReview]:
    stmt = (
        select(FlagConstraintReview)
        .where(FlagConstraintReview.team_id == team_id, FlagConstraintReview.flag_id == flag_id)
        .order_by(FlagConstraintReview.reviewed_at, FlagConstraintReview.id)
    )
    return list(session.scalars(stmt))
