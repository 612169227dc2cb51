"""Digest queries: the listing, from the (team_id, released_at, clause_id) index (its counts are bot.db.counts'), and
the (team, week) claim that makes a digest post exactly once. A digest counts and lists only the flags leads may see,
by when they were released (held flags are not in it)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, delete, func, select, true, update
from sqlalchemy.orm import Session

from bot.db.flags import visible_to_leads
from bot.db.models import DigestMessage, DigestMessageFlag, DigestRun, Flag


def list_flags_between(session: Session, *, team_id: str, since: datetime, until: datetime, limit: int) -> list[Flag]:
    """The first `limit` flags released in a period, in the order of release (within a batch, by their shuffled
    numbers, never by when they were written); only those rows are loaded."""
    stmt = (
        select(Flag)
        .where(visible_to_leads(team_id), Flag.released_at >= since, Flag.released_at < until)
        .order_by(Flag.released_at, Flag.number)
        .limit(limit)
    )
    return list(session.scalars(stmt))


def insert_digest_claim(session: Session, *, team_id: str, iso_week: str, now: datetime) -> None:
    """Claim (team, week); the unique constraint raises IntegrityError at flush if someone holds it."""
    session.add(DigestRun(team_id=team_id, iso_week=iso_week, status="claimed", claimed_at=now))
    session.flush()


def take_over_left_claim(session: Session, *, team_id: str, iso_week: str, now: datetime) -> bool:
    """A claim still "claimed" while the caller holds the week's lock was left by a run that is gone: take it over."""
    return _take_over(session, team_id, iso_week, "claimed", true(), now)


def force_claim_digest_run(session: Session, *, team_id: str, iso_week: str, now: datetime) -> None:
    """--force: take the claim whatever its state (the week is posted again, on purpose)."""
    run = get_digest_run(session, team_id=team_id, iso_week=iso_week)
    if run is None:
        session.add(DigestRun(team_id=team_id, iso_week=iso_week, status="claimed", claimed_at=now))
    else:
        run.status, run.claimed_at = "claimed", now


def get_digest_run(session: Session, *, team_id: str, iso_week: str) -> DigestRun | None:
    return session.scalar(select(DigestRun).where(DigestRun.team_id == team_id, DigestRun.iso_week == iso_week))


def mark_digest_posted(session: Session, *, team_id: str, iso_week: str, now: datetime) -> None:
    session.execute(
        update(DigestRun)
        .where(DigestRun.team_id == team_id, DigestRun.iso_week == iso_week)
        .values(status="posted", posted_at=now)
    )


def take_over_failed_run(session: Session, *, team_id: str, iso_week: str, now: datetime, failed_before: datetime) -> bool:
    """A week that failed (the channel could not be used) is tried again once the settings changed after it failed."""
    failed_then = DigestRun.failed_at < failed_before
    return _take_over(session, team_id, iso_week, "failed", failed_then, now, failure=None, failed_at=None)


def _take_over(
    session: Session, team_id: str, iso_week: str, status: str, since: ColumnElement[bool], now: datetime, **cleared: None
) -> bool:
    """Claim the week's run if it is still in `status` and `since` holds; True for the one caller that won."""
    taken = session.execute(
        update(DigestRun)
        .where(DigestRun.team_id == team_id, DigestRun.iso_week == iso_week, DigestRun.status == status, since)
        .values(status="claimed", claimed_at=now, **cleared)
    )
    return taken.rowcount == 1


def mark_digest_posting(session: Session, *, team_id: str, iso_week: str) -> DigestRun:
    """From here on a message may be out: a stale run is never taken over (that could post the week twice)."""
    run = get_digest_run(session, team_id=team_id, iso_week=iso_week)
    assert run is not None, "posting a week that was not claimed"
    run.status = "posting"
    return run


def mark_digest_failed(session: Session, *, team_id: str, iso_week: str, failure: str, now: datetime) -> None:
    session.execute(
        update(DigestRun)
        .where(DigestRun.team_id == team_id, DigestRun.iso_week == iso_week)
        .values(status="failed", failure=failure, failed_at=now)
    )


def mark_digest_unsure(session: Session, *, team_id: str, iso_week: str, failure: str, now: datetime) -> None:
    session.execute(
        update(DigestRun)
        .where(DigestRun.team_id == team_id, DigestRun.iso_week == iso_week)
        .values(status="unsure", failure=failure, failed_at=now)
    )


def add_digest_message(
    session: Session, *, run: DigestRun, part: int, channel_id: str, message_ts: str, flag_ids: Sequence[int]
) -> DigestMessage:
    message = DigestMessage(
        team_id=run.team_id,
        digest_run_id=run.id,
        part=part,
        channel_id=channel_id,
        message_ts=message_ts,
        listed=len(flag_ids),
    )
    session.add(message)
    session.flush()
    session.add_all(
        DigestMessageFlag(message_id=message.id, flag_id=flag_id, team_id=run.team_id, position=position)
        for position, flag_id in enumerate(flag_ids)
    )
    return message


def list_messages_listing(session: Session, *, team_id: str, flag_id: int) -> list[tuple[DigestMessage, DigestRun]]:
    """The digest replies that list a flag (a --force repost can make it more than one), with their runs."""
    stmt = (
        select(DigestMessage, DigestRun)
        .join(DigestMessageFlag, DigestMessageFlag.message_id == DigestMessage.id)
        .join(DigestRun, DigestRun.id == DigestMessage.digest_run_id)
        .where(DigestMessageFlag.team_id == team_id, DigestMessageFlag.flag_id == flag_id, DigestMessage.team_id == team_id)
        .order_by(DigestMessage.id)
    )
    return [(message, run) for message, run in session.execute(stmt).all()]


def list_message_flags(session: Session, *, team_id: str, message_id: int) -> list[Flag]:
    """The flags a digest message still lists, in its order (withdrawn and purged flags are gone)."""
    stmt = (
        select(Flag)
        .join(DigestMessageFlag, DigestMessageFlag.flag_id == Flag.id)
        .where(DigestMessageFlag.team_id == team_id, DigestMessageFlag.message_id == message_id, Flag.team_id == team_id)
        .order_by(DigestMessageFlag.position)
    )
    return list(session.scalars(stmt))


def list_listed_flag_ids(session: Session, *, team_id: str, digest_run_id: int) -> list[int]:
    """The flags a digest run's posted messages list."""
    stmt = (
        select(DigestMessageFlag.flag_id)
        .join(DigestMessage, DigestMessage.id == DigestMessageFlag.message_id)
        .where(DigestMessage.team_id == team_id, DigestMessage.digest_run_id == digest_run_id)
        .where(DigestMessageFlag.team_id == team_id)
    )
    return list(session.scalars(stmt))


def count_reply_parts(session: Session, *, team_id: str, digest_run_id: int) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(DigestMessage)
            .where(DigestMessage.team_id == team_id, DigestMessage.digest_run_id == digest_run_id, DigestMessage.part > 0)
        )
        or 0
    )


def release_digest_run(session: Session, *, team_id: str, iso_week: str) -> None:
    """Drop a claim under which nothing was posted, so the next run tries again."""
    session.execute(
        delete(DigestRun).where(
            DigestRun.team_id == team_id, DigestRun.iso_week == iso_week, DigestRun.status.in_(("claimed", "posting"))
        )
    )


def list_team_ids_with_flags(session: Session) -> list[str]:
    return list(session.scalars(select(Flag.team_id).distinct().order_by(Flag.team_id)))
