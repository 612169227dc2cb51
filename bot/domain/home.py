"""What a reporter's Home tab shows: their own flags (each held or visible to leads), and the workspace's week in
counts (no one else's flags, and held flags only as one number)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.db import flags as flag_store
from bot.db.models import Flag
from bot.domain.categories import Category
from bot.domain.errors import storage_errors
from bot.domain.flags import RecordedFlag, to_recorded
from bot.domain.holding import HeldFlags, held_flags
from bot.domain.reporters import reporter_hash

OWN_FLAGS_SHOWN = 20  # two blocks each: keeps the Home view far inside Slack's 100 blocks


@dataclass(frozen=True)
class HomeSummary:
    own_flags: list[RecordedFlag]
    own_total: int  # may exceed len(own_flags): the view says how many more
    week_counts: dict[Category, int]  # every category, zeros included: flags leads may see, released in the week
    held: HeldFlags | None = None  # the workspace's held flags (its min_reporters, even when none is held)


def home_summary(
    db: sessionmaker[Session], *, team_id: str, user_id: str, reporter_key: bytes, now: datetime
) -> HomeSummary:
    own_hash = reporter_hash(reporter_key, team_id=team_id, user_id=user_id)
    week_start = now - timedelta(days=7)
    with storage_errors(), db() as session:
        own = flag_store.list_reporter_flags(session, team_id=team_id, reporter_hash=own_hash, limit=OWN_FLAGS_SHOWN)
        total = flag_store.count_reporter_flags(session, team_id=team_id, reporter_hash=own_hash)
        counts = flag_store.count_flags_by_category(session, team_id=team_id, since=week_start, until=now)
        held = held_flags(session, team_id=team_id)
        return HomeSummary(
            own_flags=[_own(row, held.min_reporters) for row in own],
            own_total=total,
            week_counts={category: counts.get(category.value, 0) for category in Category},
            held=held,
        )


def _own(row: Flag, min_reporters: int) -> RecordedFlag:
    flag = to_recorded(row)
    return replace(flag, held_until=min_reporters) if flag.held else flag
