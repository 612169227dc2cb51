"""The weekly digest of one workspace: counts per clause under each side of the agreement, a total, the change and
an 8-week trend per side, and the flags.

Only the flags leads may see are in it, by when they were released (bot/domain/holding.py); held flags are one number.
Counting happens in SQL (one GROUP BY over the (team_id, released_at, clause_id) index), and only the listed flags are
loaded, so a workspace with 100k flags digests about as fast as one with 1k.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.db import counts as count_store
from bot.db import digests as digest_store
from bot.db import locks
from bot.db import settings as settings_store
from bot.db.session import engine_of
from bot.domain.agreement import SIDES, Agreement, Clause, Side, agreement_of
from bot.domain.errors import storage_errors
from bot.domain.flags import FLAG_ID_MAX, RecordedFlag, to_recorded
from bot.domain.holding import HeldFlags, held_flags
from bot.domain.insights import Learnings, learn_recent
from bot.domain.outcomes import OutcomeSummary, outcome_summary

TREND_WEEKS = 8
LISTED_FLAGS_MAX = 200  # listed in the summary's thread, a few replies' worth; the rest are counted and in the CSV
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
class ClauseCount:
    clause: Clause
    count: int
    previous: int  # the period before
    trend: tuple[int, ...]  # TREND_WEEKS periods, oldest first; the last is `count`


@dataclass(frozen=True)
class SideCount:
    """One side of the agreement (None: `other`, on neither side): its clauses' counts and the side's own total,
    change and trend (every flag of the side's clauses, retired ones included)."""

    side: Side | None
    clauses: tuple[ClauseCount, ...]  # the active clauses, and retired ones with flags in this period or the one before
    count: int
    previous: int
    trend: tuple[int, ...]


@dataclass(frozen=True)
class Digest:
    team_id: str
    period: Period
    sides: tuple[SideCount, ...]  # product's side, tech's side, then `other`
    flags: tuple[RecordedFlag, ...]  # the first LISTED_FLAGS_MAX released in the period, in the order of release
    outcomes: OutcomeSummary | None = None
    learnings: Learnings | None = None  # the last 8 weeks' response times, claimed constraints and weekly trend
    held: HeldFlags | None = None  # the workspace's held flags, as they are when the digest is built

    @property
    def counts(self) -> tuple[ClauseCount, ...]:
        """Every clause shown, side by side."""
        return tuple(c for side in self.sides for c in side.clauses)

    @property
    def total(self) -> int:
        return sum(s.count for s in self.sides)

    @property
    def previous_total(self) -> int:
        return sum(s.previous for s in self.sides)

    @property
    def unlisted(self) -> int:
        return self.total - len(self.flags)


def build_digest(db: sessionmaker[Session], *, team_id: str, period: Period) -> Digest:
    length = period.end - period.start
    boundaries = [period.end - length * k for k in range(TREND_WEEKS, -1, -1)]  # the last bucket is the period
    agreement = agreement_of(db, team_id=team_id)
    with db() as session:
        counts = count_store.count_released(session, team_id=team_id, boundaries=boundaries)
        rows = digest_store.list_flags_between(
            session, team_id=team_id, since=period.start, until=period.end, limit=LISTED_FLAGS_MAX
        )
        flags = tuple(to_recorded(row) for row in rows)
        held = held_flags(session, team_id=team_id)
    sides = side_counts(agreement, counts)
    outcomes = outcome_summary(db, team_id=team_id, since=period.start, until=period.end)
    learnings = learn_recent(db, team_id=team_id, end=period.end)
    return Digest(
        team_id=team_id,
        period=period,
        sides=sides,
        flags=flags,
        outcomes=outcomes,
        learnings=learnings,
        held=held,
    )


def side_counts(agreement: Agreement, counts: Mapping[tuple[int, int], int]) -> tuple[SideCount, ...]:
    """Product's side, tech's side, then `other`, from {(bucket, clause id): flags} (bucket TREND_WEEKS - 1 is the
    period, the one before it the previous period). A retired clause is shown where either has flags of it."""
    last = TREND_WEEKS - 1
    recent = {clause_id for (bucket, clause_id), count in counts.items() if bucket >= last - 1 and count}
    sides = []
    for side in (*SIDES, None):
        every = [c for c in agreement.clauses if c.side == side]
        trend = tuple(sum(counts.get((bucket, c.id), 0) for c in every) for bucket in range(TREND_WEEKS))
        clauses = tuple(
            ClauseCount(
                clause=clause,
                count=counts.get((last, clause.id), 0),
                previous=counts.get((last - 1, clause.id), 0),
                trend=tuple(counts.get((bucket, clause.id), 0) for bucket in range(TREND_WEEKS)),
            )
            for clause in agreement.on_side(side, also=recent)
        )
        sides.append(SideCount(side, clauses, count=trend[last], previous=trend[last - 1], trend=trend))
    return tuple(sides)


def is_week_done(db: sessionmaker[Session], *, team_id: str, iso_week: str, now: datetime) -> bool:
    """Nothing for this run to do: the week is posted, or may be (unsure), or failed on a channel the app cannot use
    and the settings have not changed since. A week "claimed" or "posting" is not done: its process may have died,
    which only the week's lock can tell (send_digest takes it)."""
    with db() as session:
        run = digest_store.get_digest_run(session, team_id=team_id, iso_week=iso_week)
        if run is None:
            return False
        if run.status == "failed":
            changed = settings_store.get_settings(session, team_id=team_id)
            return changed is None or run.failed_at is None or changed.updated_at <= run.failed_at
        return run.status in ("posted", "unsure")


@contextmanager
def week_lock(db: sessionmaker[Session], *, team_id: str, iso_week: str) -> Iterator[bool]:
    """Held for the whole of a week's send. False: a live process is sending it. True: any run of the week still
    "claimed" or "posting" was left by a process that died (or gave up), and this caller may take it over."""
    with locks.hold(engine_of(db), f"digest {team_id} {iso_week}") as held:
        yield held


def claim_week(db: sessionmaker[Session], *, team_id: str, iso_week: str, now: datetime, force: bool = False) -> bool:
    """Take this week's claim before posting, holding week_lock; False if the week is posted, being posted, or failed
    and not worth trying again yet. A claim left by a process that died is taken over: nothing was posted under it."""
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
            if digest_store.take_over_left_claim(session, team_id=team_id, iso_week=iso_week, now=now):
                return True
            changed = settings_store.get_settings(session, team_id=team_id)
            return changed is not None and digest_store.take_over_failed_run(
                session, team_id=team_id, iso_week=iso_week, now=now, failed_before=changed.updated_at
            )


@dataclass(frozen=True)
class UnfinishedWeek:
    """A week left "posting" by a process that died or lost Slack's answer: what of it Slack has, as far as the
    database knows."""

    channel_id: str
    period: Period
    summary_ts: str | None  # None: the summary may or may not have reached Slack
    listed_flag_ids: frozenset[int]  # listed by the replies already in its thread
    replies: int


def unfinished_week(db: sessionmaker[Session], *, team_id: str, iso_week: str) -> UnfinishedWeek | None:
    """The week's run if it was left "posting" (read holding week_lock, so nobody else is posting it)."""
    with db() as session:
        run = digest_store.get_digest_run(session, team_id=team_id, iso_week=iso_week)
        if run is None or run.status != "posting" or not (run.channel_id and run.period_start and run.period_end):
            return None
        return UnfinishedWeek(
            channel_id=run.channel_id,
            period=Period(run.period_start, run.period_end, _period_label(run.period_start, run.period_end)),
            summary_ts=run.message_ts,
            listed_flag_ids=frozenset(digest_store.list_listed_flag_ids(session, team_id=team_id, digest_run_id=run.id)),
            replies=digest_store.count_reply_parts(session, team_id=team_id, digest_run_id=run.id),
        )


def start_posting(db: sessionmaker[Session], *, team_id: str, iso_week: str, channel_id: str, period: Period) -> None:
    """Recorded before the first message goes out: from here the week's summary is never posted again by itself
    (a human can, with --force); a run that stops after this is finished from what it recorded (unfinished_week)."""
    with db.begin() as session:
        run = digest_store.mark_digest_posting(session, team_id=team_id, iso_week=iso_week)
        run.channel_id, run.period_start, run.period_end = channel_id, period.start, period.end


def record_message(
    db: sessionmaker[Session],
    *,
    team_id: str,
    iso_week: str,
    part: int,
    channel_id: str,
    message_ts: str,
    flag_ids: Sequence[int],
) -> None:
    """One posted message of the digest (0: the summary, whose thread holds the rest) and the flags it lists."""
    with db.begin() as session:
        run = digest_store.get_digest_run(session, team_id=team_id, iso_week=iso_week)
        assert run is not None, "recording a message of a week that was not claimed"
        if part == 0:
            run.message_ts = message_ts
        digest_store.add_digest_message(
            session, run=run, part=part, channel_id=channel_id, message_ts=message_ts, flag_ids=flag_ids
        )


def record_posted(db: sessionmaker[Session], *, team_id: str, iso_week: str, now: datetime) -> None:
    with db.begin() as session:
        digest_store.mark_digest_posted(session, team_id=team_id, iso_week=iso_week, now=now)


def record_failed(db: sessionmaker[Session], *, team_id: str, iso_week: str, failure: str, now: datetime) -> None:
    """The channel cannot be used this week: not retried until the settings change or the next week comes."""
    with db.begin() as session:
        digest_store.mark_digest_failed(session, team_id=team_id, iso_week=iso_week, failure=failure, now=now)


def record_unsure(db: sessionmaker[Session], *, team_id: str, iso_week: str, failure: str, now: datetime) -> None:
    """The summary may or may not have reached Slack: the week is never posted again by itself (--force can)."""
    with db.begin() as session:
        digest_store.mark_digest_unsure(session, team_id=team_id, iso_week=iso_week, failure=failure, now=now)


@dataclass(frozen=True)
class WeekFailure:
    """Why this week's digest was not posted (`unsure`: may not have been), in a sentence an admin can act on."""

    failure: str
    unsure: bool = False


def week_failure(db: sessionmaker[Session], *, team_id: str, iso_week: str) -> WeekFailure | None:
    """Why this week's digest could not be posted (or may not have been), while that is still so (for the admins'
    Home tab)."""
    with db() as session:
        run = digest_store.get_digest_run(session, team_id=team_id, iso_week=iso_week)
        if run is None or run.status not in ("failed", "unsure") or not run.failure:
            return None
        return WeekFailure(run.failure, unsure=run.status == "unsure")


@dataclass(frozen=True)
class ListingMessage:
    """A posted digest reply that lists some flags, as it should look now."""

    channel_id: str
    message_ts: str
    part: int
    parts: int
    period_label: str
    flags: tuple[RecordedFlag, ...]  # still stored, in the message's order
    withdrawn: int  # listed when posted, withdrawn (or purged) since


def messages_listing(db: sessionmaker[Session], *, team_id: str, flag_id: int) -> list[ListingMessage]:
    """Every digest reply that lists `flag_id`, rebuilt from the database as it is now (to redraw it in place).
    Read it before deleting a flag: the flag's listing rows go with it."""
    found: list[ListingMessage] = []
    if not 0 < flag_id <= FLAG_ID_MAX:  # past the column's range PostgreSQL would refuse the query
        return found
    with storage_errors(), db() as session:
        for message, run in digest_store.list_messages_listing(session, team_id=team_id, flag_id=flag_id):
            flags = tuple(
                to_recorded(row) for row in digest_store.list_message_flags(session, team_id=team_id, message_id=message.id)
            )
            parts = digest_store.count_reply_parts(session, team_id=team_id, digest_run_id=run.id)
            found.append(
                ListingMessage(
                    channel_id=message.channel_id,
                    message_ts=message.message_ts,
                    part=message.part,
                    parts=parts,
                    period_label=_period_label(run.period_start, run.period_end),
                    flags=flags,
                    withdrawn=message.listed - len(flags),
                )
            )
    return found


def redrawn_without(message: ListingMessage, flag_id: int) -> ListingMessage:
    """The message as it will be once `flag_id` is withdrawn."""
    kept = tuple(f for f in message.flags if f.id != flag_id)
    return replace(message, flags=kept, withdrawn=message.withdrawn + len(message.flags) - len(kept))


def _period_label(start: datetime | None, end: datetime | None) -> str:
    return f"{start:%d %b} – {end:%d %b %Y}" if start and end else "a past week"


def release_week(db: sessionmaker[Session], *, team_id: str, iso_week: str) -> None:
    """Nothing was posted: give the claim back so the next run retries."""
    with db.begin() as session:
        digest_store.release_digest_run(session, team_id=team_id, iso_week=iso_week)


def known_team_ids(db: sessionmaker[Session]) -> list[str]:
    with db() as session:
        return digest_store.list_team_ids_with_flags(session)
