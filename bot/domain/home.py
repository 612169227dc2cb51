"""What a reporter's Home tab shows: the workspace's agreement, its week in counts by side (no one else's flags, and
held flags only as one number), and their own flags (each held or visible to leads)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.db import flags as flag_store
from bot.db.models import Flag
from bot.domain.agreement import SIDES, Agreement, Clause, Side, agreement_of
from bot.domain.errors import storage_errors
from bot.domain.flags import RecordedFlag, to_recorded
from bot.domain.holding import HeldFlags, held_flags
from bot.domain.reporters import reporter_hash

OWN_FLAGS_SHOWN = 20  # two blocks each: keeps the Home view far inside Slack's 100 blocks


@dataclass(frozen=True)
class SideWeek:
    """One side's last 7 days: each clause with its count (active clauses, and retired ones with flags)."""

    side: Side | None  # None: `other`
    counts: tuple[tuple[Clause, int], ...]

    @property
    def total(self) -> int:
        return sum(count for _, count in self.counts)


@dataclass(frozen=True)
class HomeSummary:
    own_flags: list[RecordedFlag]
    own_total: int  # may exceed len(own_flags): the view says how many more
    week: tuple[SideWeek, ...]  # product's side, tech's side, then `other`, zeros included: flags leads may see
    agreement: Agreement  # what everyone sees under "Our agreement"
    held: HeldFlags | None = None  # the workspace's held flags (its min_reporters, even when none is held)

    @property
    def week_total(self) -> int:
        return sum(side.total for side in self.week)


def home_summary(
    db: sessionmaker[Session], *, team_id: str, user_id: str, reporter_key: bytes, now: datetime
) -> HomeSummary:
    own_hash = reporter_hash(reporter_key, team_id=team_id, user_id=user_id)
    week_start = now - timedelta(days=7)
    agreement = agreement_of(db, team_id=team_id)
    with storage_errors(), db() as session:
        own = flag_store.list_reporter_flags(session, team_id=team_id, reporter_hash=own_hash, limit=OWN_FLAGS_SHOWN)
        total = flag_store.count_reporter_flags(session, team_id=team_id, reporter_hash=own_hash)
        counts = flag_store.count_flags_by_clause(session, team_id=team_id, since=week_start, until=now)
        held = held_flags(session, team_id=team_id)
        own_flags = [_own(row, held.min_reporters) for row in own]
    week = tuple(
        SideWeek(side, tuple((c, counts.get(c.id, 0)) for c in agreement.on_side(side, also=counts)))
        for side in (*SIDES, None)
    )
    return HomeSummary(own_flags=own_flags, own_total=total, week=week, agreement=agreement, held=held)


def _own(row: Flag, min_reporters: int) -> RecordedFlag:
    flag = to_recorded(row)
    return replace(flag, held_until=min_reporters) if flag.held else flag
