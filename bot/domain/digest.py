"""The weekly digest of one workspace: counts by category, the change, an 8-week trend, and the flags.

Counting happens in SQL (one GROUP BY over the (team_id, created_at) index), and only the listed flags are
loaded, so a workspace with 100k flags digests about as fast as one with 1k.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.db import digests as digest_store
from bot.db import flags as flag_store
from bot.domain.categories import Category
from bot.domain.flags import RecordedFlag, to_recorded
from bot.domain.outcomes import OutcomeSummary, outcome_summary

TREND_WEEKS = 8
LISTED_FLAGS_MAX = 40  # one block each: with the header and counts, well inside a message's 50 blocks
STALE_CLAIM = timedelta(minutes=15)  # a claim this old was left by a run that died mid-post
_ISO_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


class InvalidWeek(Exception):
    """A --week that is not YYYY-Www."""


@dataclass(frozen=True)
class Period:
    start: datetime  # inclusive, UTC
    end: datetime  # exclusive, UTC
    label: str


def rolling_week(now: datetime) -> Period:
    """The seven days up to `now`: Monday's digest reports the past week, a preview shows a minute-old flag."""
    start = now - timedelta(days=7)
    return Period(start, now, f"{start:%d %b} – {now:%d %b %Y}")


def calendar_week(iso_week: str, zone: ZoneInfo) -> Period:
    """Monday 00:00 to the next Monday 00:00 of ISO week `YYYY-Www`, in the workspace's timezone."""
    match = _ISO_WEEK.match(iso_week.strip())
    try:
        monday = date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1) if match else None
    except ValueError:
        monday = None
    if monday is None:
        raise InvalidWeek(f"{iso_week!r} is not an ISO week like 2026-W48.")
    start = datetime.combine(monday, time(0), zone).astimezone(UTC)
    end = datetime.combine(monday + timedelta(days=7), time(0), zone).astimezone(UTC)
    return Period(start, end, iso_week.strip())


@dataclass(frozen=True)
class CategoryCount:
    category: Category
    count: int
    previous: int  # the period before
    trend: tuple[int, ...]  # TREND_WEEKS periods, oldest first; the last is `count`


@dataclass(frozen=True)
class Digest:
    team_id: str
    period: Period
    counts: tuple[CategoryCount, ...]  # every category, in the agreement's order
    flags: tuple[RecordedFlag, ...]  # the first LISTED_FLAGS_MAX of the period, oldest first
    outcomes: OutcomeSummary | None = None

    @property
    def total(self) -> int:
        return sum(c.count for c in self.counts)

    @property
    def previous_total(self) -> int:
        return sum(c.previous for c in self.counts)

    @property
    def unlisted(self) -> int:
        return self.total - len(self.flags)


def build_digest(db: sessionmaker[Session], *, team_id: str, period: Period) -> Digest:
    length = period.end - period.start
    boundaries = [period.end - length * k for k in range(TREND_WEEKS, -1, -1)]  # the last bucket is the period
    with db() as session:
        counts = digest_store.count_by_bucket_and_category(session, team_id=team_id, boundaries=boundaries)
        rows = digest_store.list_flags_between(
            session, team_id=team_id, since=period.start, until=period.end, limit=LISTED_FLAGS_MAX
        )
        flags = tuple(to_recorded(row) for row in rows)
    last = TREND_WEEKS - 1
    per_category = tuple(
        CategoryCount(
            category=category,
            count=counts.get((last, category.value), 0),
            previous=counts.get((last - 1, category.value), 0),
            trend=tuple(counts.get((bucket, category.value), 0) for bucket in range(TREND_WEEKS)),
        )
        for category in Category
    )
    outcomes = outcome_summary(db, team_id=team_id, since=period.start, until=period.end)
    return Digest(team_id=team_id, period=period, counts=per_category, flags=flags, outcomes=outcomes)


def get_digest_flag(db: sessionmaker[Session], *, team_id: str, flag_id: int) -> RecordedFlag | None:
    """One flag, to redraw its block in a posted digest after a status change."""
    with db() as session:
        row = flag_store.get_flag(session, team_id=team_id, flag_id=flag_id)
        return None if row is None else to_recorded(row)


def is_week_done(db: sessionmaker[Session], *, team_id: str, iso_week: str, now: datetime) -> bool:
    """Posted, or being posted by a live run: nothing for this run to do."""
    with db() as session:
        run = digest_store.get_digest_run(session, team_id=team_id, iso_week=iso_week)
        return run is not None and (run.status == "posted" or run.claimed_at >= now - STALE_CLAIM)


def claim_week(db: sessionmaker[Session], *, team_id: str, iso_week: str, now: datetime, force: bool = False) -> bool:
    """Take this week's claim in the database before posting; False if the week is posted or being posted."""
    if force:
        with db.begin() as session:
            digest_store.force_claim_digest_run(session, team_id=team_id, iso_week=iso_week, now=now)
        return True
    try:
        with db.begin() as session:
            digest_store.insert_digest_claim(session, team_id=team_id, iso_week=iso_week, now=now)
        return True
    except IntegrityError:
        with db.begin() as session:
            return digest_store.take_over_stale_claim(
                session, team_id=team_id, iso_week=iso_week, now=now, stale_before=now - STALE_CLAIM
            )


def record_posted(
    db: sessionmaker[Session],
    *,
    team_id: str,
    iso_week: str,
    channel_id: str,
    message_ts: str,
    now: datetime,
    period: Period,
) -> None:
    with db.begin() as session:
        digest_store.mark_digest_posted(
            session,
            team_id=team_id,
            iso_week=iso_week,
            channel_id=channel_id,
            message_ts=message_ts,
            now=now,
            period_start=period.start,
            period_end=period.end,
        )


def posted_digest(db: sessionmaker[Session], *, team_id: str, channel_id: str, message_ts: str) -> Digest | None:
    """The digest a posted message shows, rebuilt from the database as it is now (to redraw it in place)."""
    with db() as session:
        run = digest_store.find_posted_run(session, team_id=team_id, channel_id=channel_id, message_ts=message_ts)
    if run is None or run.period_start is None or run.period_end is None:
        return None
    label = f"{run.period_start:%d %b} – {run.period_end:%d %b %Y}"
    return build_digest(db, team_id=team_id, period=Period(run.period_start, run.period_end, label))


def release_week(db: sessionmaker[Session], *, team_id: str, iso_week: str) -> None:
    """The post failed: give the claim back so the next run retries."""
    with db.begin() as session:
        digest_store.release_digest_run(session, team_id=team_id, iso_week=iso_week)


def known_team_ids(db: sessionmaker[Session]) -> list[str]:
    with db() as session:
        return digest_store.list_team_ids_with_flags(session)
