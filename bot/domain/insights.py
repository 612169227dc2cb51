"""What the leads learn: how long a flag waits for a lead's answer, how many demanded dates had a real external
constraint claimed (and how many of those claims leads confirmed), and how both move week by week.

Every figure counts only flags leads may see, and times them from when they became visible
(`bot.db.insights.visible_since` and `visible_to_leads`); they are grouped per side of the workspace's agreement
(`groups`: product's, tech's, and `other` on neither), each flag on the side its clause is on now. Nothing here names
or ranks a reporter or a source: the figures are patterns.

- *response time*: from visible to the first change of status by a lead (acknowledged or any later status);
- *answered within 5 working days*: of the flags whose answer is due (answered, or visible for 5 working days by
  the end of the span), those answered within 5 working days, Monday to Friday in the workspace's timezone;
- *time to resolution*: from visible to resolved or not an issue, for flags closed in the span;
- *claimed constraints*: of the flags with a demanded date, those whose reporter claimed a real external constraint;
  of all claims, those leads marked confirmed and not confirmed.
"""

from __future__ import annotations

import bisect
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from bot.db import insights as insight_store
from bot.domain.agreement import NEITHER_LABEL, OTHER_KEYWORD, SIDES, Agreement, agreement_of
from bot.domain.constraint_reviews import Verdict
from bot.domain.working_days import add_working_days, latest_start_within
from bot.domain.workspace_settings import effective_schedule

WINDOW_WEEKS = 8
ANSWER_WITHIN_WORKING_DAYS = 5
DAY = 86400.0


class InvalidRange(Exception):
    """A report range that does not make sense (its end before its start)."""


@dataclass(frozen=True)
class Group:
    """What the figures are grouped by: a side of the agreement (or neither, for `other`)."""

    key: str
    label: str
    short: str  # a word for narrow places (the report's table)


NEITHER_KEY = "neither"  # `other`'s flags: on neither side


def groups() -> tuple[Group, ...]:
    """Every group, in the order the leads read them: product's side, tech's side, then `other`."""
    sides = tuple(Group(side.value, side.label, side.value) for side in SIDES)
    return (*sides, Group(NEITHER_KEY, f"Other ({NEITHER_LABEL.lower()})", OTHER_KEYWORD))


def group_of_clauses(agreement: Agreement) -> dict[int, str]:
    """{clause id: the key of the group its flags count in}: its side now, `neither` for `other`."""
    return {c.id: c.side.value if c.side else NEITHER_KEY for c in agreement.clauses}


@dataclass(frozen=True)
class Figures:
    flags: int = 0  # became visible in the span
    answered: int = 0  # of those, answered by a lead by the span's end
    median_days_to_response: float | None = None
    due: int = 0  # answered, or visible for 5 working days by the span's end
    answered_within: int = 0  # answered within 5 working days
    resolved: int = 0  # resolved or closed in the span (whenever they were flagged)
    median_days_to_resolution: float | None = None
    dated: int = 0  # with a demanded date
    dated_with_claim: int = 0  # ... whose reporter claimed a real external constraint
    claims: int = 0  # every flag claiming a real external constraint, dated or not
    confirmed: int = 0  # claims a lead confirmed
    not_confirmed: int = 0  # claims a lead did not confirm

    @property
    def share_answered_within(self) -> float | None:
        return self.answered_within / self.due if self.due else None

    @property
    def share_dated_with_claim(self) -> float | None:
        return self.dated_with_claim / self.dated if self.dated else None

    @property
    def unreviewed(self) -> int:
        return self.claims - self.confirmed - self.not_confirmed


@dataclass(frozen=True)
class GroupFigures:
    group: Group
    figures: Figures


@dataclass(frozen=True)
class Span:
    """One week of a trend (the last may be shorter: a report ends when it ends)."""

    start: datetime  # inclusive, UTC
    end: datetime  # exclusive, UTC
    label: str  # the week's first day, in the workspace's timezone
    total: Figures
    groups: tuple[GroupFigures, ...]  # every group, in order


@dataclass(frozen=True)
class Learnings:
    team_id: str
    start: datetime
    end: datetime
    timezone: str
    total: Figures
    groups: tuple[GroupFigures, ...]  # every group, in order
    weeks: tuple[Span, ...]  # oldest first

    @property
    def label(self) -> str:
        zone = ZoneInfo(self.timezone)
        last = (self.end - timedelta(microseconds=1)).astimezone(zone)
        return f"{self.start.astimezone(zone):%d %b %Y} – {last:%d %b %Y}"


@dataclass
class _Tally:
    flags: int = 0
    due: int = 0
    answered_within: int = 0
    response_days: list[float] = field(default_factory=list)
    resolution_days: list[float] = field(default_factory=list)
    dated: int = 0
    dated_with_claim: int = 0
    claims: int = 0
    confirmed: int = 0
    not_confirmed: int = 0

    def merged(self, others: Iterable[_Tally]) -> _Tally:
        for other in others:
            for name in ("flags", "due", "answered_within", "dated", "dated_with_claim", "claims", "confirmed"):
                setattr(self, name, getattr(self, name) + getattr(other, name))
            self.not_confirmed += other.not_confirmed
            self.response_days += other.response_days
            self.resolution_days += other.resolution_days
        return self

    def figures(self) -> Figures:
        return Figures(
            flags=self.flags,
            answered=len(self.response_days),
            median_days_to_response=_median(self.response_days),
            due=self.due,
            answered_within=self.answered_within,
            resolved=len(self.resolution_days),
            median_days_to_resolution=_median(self.resolution_days),
            dated=self.dated,
            dated_with_claim=self.dated_with_claim,
            claims=self.claims,
            confirmed=self.confirmed,
            not_confirmed=self.not_confirmed,
        )


def _median(days: list[float]) -> float | None:
    return statistics.median(days) if days else None


def learn(db: sessionmaker[Session], *, team_id: str, boundaries: Sequence[datetime], zone: ZoneInfo) -> Learnings:
    """The figures over [boundaries[0], boundaries[-1]), and for each span between two boundaries (the weeks)."""
    start, end = boundaries[0], boundaries[-1]
    due_before = latest_start_within(end, ANSWER_WITHIN_WORKING_DAYS, zone)
    side_of = group_of_clauses(agreement_of(db, team_id=team_id))
    tallies: dict[tuple[int, str], _Tally] = defaultdict(_Tally)
    with db() as session:
        counted = insight_store.count_visible_flags(session, team_id=team_id, boundaries=boundaries, due_before=due_before)
        claimed = insight_store.count_dated_and_claimed(session, team_id=team_id, boundaries=boundaries)
        for clause_id, visible, answered in insight_store.first_responses(session, team_id=team_id, since=start, until=end):
            tally = tallies[_bucket_of(visible, boundaries), side_of.get(clause_id, NEITHER_KEY)]
            tally.response_days.append(max(0.0, (answered - visible).total_seconds() / DAY))
            tally.due += 0 if visible <= due_before else 1  # answered before it was due: its answer is in
            tally.answered_within += answered <= add_working_days(visible, ANSWER_WITHIN_WORKING_DAYS, zone)
        resolutions = insight_store.list_resolutions(session, team_id=team_id, since=start, until=end)
    for bucket, clause_id, overdue, count in counted:
        tally = tallies[bucket, side_of.get(clause_id, NEITHER_KEY)]
        tally.flags += count
        tally.due += count if overdue else 0
    for bucket, clause_id, has_date, has_claim, verdict, count in claimed:
        tally = tallies[bucket, side_of.get(clause_id, NEITHER_KEY)]
        tally.dated += count if has_date else 0
        tally.dated_with_claim += count if has_date and has_claim else 0
        tally.claims += count if has_claim else 0
        tally.confirmed += count if has_claim and verdict == Verdict.CONFIRMED else 0
        tally.not_confirmed += count if has_claim and verdict == Verdict.NOT_CONFIRMED else 0
    for clause_id, visible, resolved in resolutions:
        side = side_of.get(clause_id, NEITHER_KEY)
        tallies[_bucket_of(resolved, boundaries), side].resolution_days.append((resolved - visible).total_seconds() / DAY)
    every_group = groups()
    weeks = []
    for bucket in range(len(boundaries) - 1):
        by_group = tuple(GroupFigures(g, tallies[bucket, g.key].figures()) for g in every_group)
        total = _Tally().merged(tallies[bucket, g.key] for g in every_group).figures()
        label = f"{boundaries[bucket].astimezone(zone):%d %b}"
        weeks.append(Span(boundaries[bucket], boundaries[bucket + 1], label, total, by_group))
    buckets = range(len(boundaries) - 1)
    per_group = tuple(GroupFigures(g, _Tally().merged(tallies[b, g.key] for b in buckets).figures()) for g in every_group)
    total = _Tally().merged(tallies[b, g.key] for b in buckets for g in every_group).figures()
    return Learnings(team_id, start, end, zone.key, total, per_group, tuple(weeks))


def _bucket_of(moment: datetime, boundaries: Sequence[datetime]) -> int:
    return min(max(bisect.bisect_right(boundaries, moment) - 1, 0), len(boundaries) - 2)


def trailing_weeks(end: datetime, weeks: int = WINDOW_WEEKS) -> list[datetime]:
    """Boundaries of the `weeks` seven-day spans up to `end`, oldest first: the digest's window."""
    return [end - timedelta(days=7 * k) for k in range(weeks, -1, -1)]


def report_weeks(since: date, until: date | None, zone: ZoneInfo, now: datetime) -> list[datetime]:
    """Boundaries of the weeks from `since` 00:00 to the end of `until` (both days in the workspace's timezone), each
    seven local days from `since`; the last week ends with the range, and the range ends `now` at the latest (and
    without `until`)."""
    if until is not None and until < since:
        raise InvalidRange(f"--until {until} is before --since {since}.")
    start = datetime.combine(since, time(0), zone).astimezone(UTC)
    end = now if until is None else min(datetime.combine(until + timedelta(days=1), time(0), zone).astimezone(UTC), now)
    if end <= start:
        raise InvalidRange(f"--since {since} is in the future: nothing has happened there yet.")
    boundaries, day = [start], since
    while boundaries[-1] < end:
        day += timedelta(days=7)
        boundaries.append(min(datetime.combine(day, time(0), zone).astimezone(UTC), end))
    return boundaries


def workspace_zone(db: sessionmaker[Session], *, team_id: str) -> ZoneInfo:
    return effective_schedule(db, team_id=team_id, default_channel=None).zone


def learn_recent(db: sessionmaker[Session], *, team_id: str, end: datetime) -> Learnings:
    """The last 8 weeks up to `end`, in the workspace's timezone: what the digest shows."""
    return learn(db, team_id=team_id, boundaries=trailing_weeks(end), zone=workspace_zone(db, team_id=team_id))


def learn_range(db: sessionmaker[Session], *, team_id: str, since: date, until: date | None, now: datetime) -> Learnings:
    """Any range of days, weekly: the leadership report."""
    zone = workspace_zone(db, team_id=team_id)
    return learn(db, team_id=team_id, boundaries=report_weeks(since, until, zone, now), zone=zone)
