"""Digest queries: aggregation stays in SQL (GROUP BY on the (team_id, created_at) index), and the
(team, week) claim that makes a digest post exactly once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import case, delete, func, select, update
from sqlalchemy.orm import Session

from bot.db.models import DigestRun, Flag


def count_by_bucket_and_category(
    session: Session, *, team_id: str, boundaries: Sequence[datetime]
) -> dict[tuple[int, str], int]:
    """{(bucket, category): count} for flags in [boundaries[0], boundaries[-1]); bucket i is
    [boundaries[i], boundaries[i+1]). One indexed range scan, whatever the number of flags."""
    bucket = case(
        *((Flag.created_at < upper, index) for index, upper in enumerate(boundaries[1:])),
        else_=len(boundaries) - 1,
    )
    stmt = (
        select(bucket, Flag.category, func.count())
        .where(Flag.team_id == team_id, Flag.created_at >= boundaries[0], Flag.created_at < boundaries[-1])
        .group_by(bucket, Flag.category)
    )
    return {(int(b), category): count for b, category, count in session.execute(stmt)}


def list_flags_between(session: Session, *, team_id: str, since: datetime, until: datetime, limit: int) -> list[Flag]:
    """The first `limit` flags of a period, oldest first (only those rows are loaded)."""
    stmt = (
        select(Flag)
        .where(Flag.team_id == team_id, Flag.created_at >= since, Flag.created_at < until)
        .order_by(Flag.created_at, Flag.id)
        .limit(limit)
    )
    return list(session.scalars(stmt))


def insert_digest_claim(session: Session, *, team_id: str, iso_week: str, now: datetime) -> None:
    """Claim (team, week); the unique constraint raises IntegrityError at flush if someone holds it."""
    session.add(DigestRun(team_id=team_id, iso_week=iso_week, status="claimed", claimed_at=now))
    session.flush()


def take_over_stale_claim(session: Session, *, team_id: str, iso_week: str, now: datetime, stale_before: datetime) -> bool:
    """A claim still "claimed" since before `stale_before` belongs to a run that died mid-post: take it over."""
    taken = session.execute(
        update(DigestRun)
        .where(
            DigestRun.team_id == team_id,
            DigestRun.iso_week == iso_week,
            DigestRun.status == "claimed",
            DigestRun.claimed_at < stale_before,
        )
        .values(claimed_at=now)
    )
    return taken.rowcount == 1


def force_claim_digest_run(session: Session, *, team_id: str, iso_week: str, now: datetime) -> None:
    """--force: take the claim whatever its state (the week is posted again, on purpose)."""
    run = get_digest_run(session, team_id=team_id, iso_week=iso_week)
    if run is None:
        session.add(DigestRun(team_id=team_id, iso_week=iso_week, status="claimed", claimed_at=now))
    else:
        run.status, run.claimed_at = "claimed", now


def get_digest_run(session: Session, *, team_id: str, iso_week: str) -> DigestRun | None:
    return session.scalar(select(DigestRun).where(DigestRun.team_id == team_id, DigestRun.iso_week == iso_week))


def mark_digest_posted(
    session: Session,
    *,
    team_id: str,
    iso_week: str,
    channel_id: str,
    message_ts: str,
    now: datetime,
    period_start: datetime,
    period_end: datetime,
) -> None:
    session.execute(
        update(DigestRun)
        .where(DigestRun.team_id == team_id, DigestRun.iso_week == iso_week)
        .values(
            status="posted",
            posted_at=now,
            channel_id=channel_id,
            message_ts=message_ts,
            period_start=period_start,
            period_end=period_end,
        )
    )


def find_posted_run(session: Session, *, team_id: str, channel_id: str, message_ts: str) -> DigestRun | None:
    return session.scalar(
        select(DigestRun).where(
            DigestRun.team_id == team_id, DigestRun.channel_id == channel_id, DigestRun.message_ts == message_ts
        )
    )


def release_digest_run(session: Session, *, team_id: str, iso_week: str) -> None:
    """Drop an unposted claim, so the next run tries again."""
    session.execute(
        delete(DigestRun).where(DigestRun.team_id == team_id, DigestRun.iso_week == iso_week, DigestRun.status == "claimed")
    )


def list_team_ids_with_flags(session: Session) -> list[str]:
    return list(session.scalars(select(Flag.team_id).distinct().order_by(Flag.team_id)))
