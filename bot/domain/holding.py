"""Anonymity that holds in a small team: an anonymous flag is *held* until the held flags of its workspace come from
at least `min_reporters` different people, then all of them are *released* together, and stay released.

The rules live here, once; what a lead or a colleague may see is `bot.db.flags.visible_to_leads` (released flags),
which every query behind their surfaces carries. What holding guards against, for whoever reads a lead's surfaces:
- a lone flag, or a count that ticks up a minute after someone was seen typing: held flags are only one number,
  never listed, counted by clause or in a trend, and that number says nothing of what they say;
- the order of writing: a batch is released at one time, and numbered in a shuffled order then, so neither its
  numbers, its listing order nor its dates say who wrote first; ages and "open for more than 4 weeks" count from
  the release.
Named flags are never held (a held flag whose reporter chooses to be named is released with it). Nothing else is
released but by the threshold (reached by a new flag, or by an admin lowering it; a withdrawal only takes a flag out of
the pool) or by the reporter's own "Release mine now", which releases that flag alone.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.db import flags as flag_store
from bot.db import settings as settings_store
from bot.db.models import Flag
from bot.domain.errors import storage_errors

DEFAULT_MIN_REPORTERS = 3  # trusted anonymous-feedback tools ask for 3 to 5 respondents before showing anything
MIN_REPORTERS_MIN, MIN_REPORTERS_MAX = 1, 10  # 1 turns holding off
OFF_WARNING = (
    "With a minimum of 1, every anonymous flag is shown to leads the moment it is stored: in a quiet week one flag, "
    "or a count that goes up a minute after someone was seen typing, can tell a lead who wrote it."
)
_shuffle = random.SystemRandom().shuffle  # not the module's generator: its state could be guessed from elsewhere


@dataclass(frozen=True)
class HeldFlags:
    """How many of a workspace's flags are held, and how many different people it waits for: all that any surface
    but the reporter's own says of them."""

    count: int
    min_reporters: int

    @property
    def sentence(self) -> str | None:
        """The one line shown where the flags would be; None when nothing is held."""
        if self.count <= 0:
            return None
        flags, them = ("1 flag is", "it") if self.count == 1 else (f"{self.count:,} flags are", "them")
        return (
            f"{flags} held until {self.min_reporters} different people have flagged, "
            f"so that nobody can tell who wrote {them}."
        )


def held_until_text(min_reporters: int) -> str:
    """Why the reporter's flag is held, for their receipt and their Home tab."""
    return (
        f"Held: leads see anonymous flags only once {min_reporters} different people have flagged, "
        "so that nobody can tell who wrote which."
    )


def min_reporters_of(session: Session, *, team_id: str) -> int:
    return settings_store.get_min_reporters(session, team_id=team_id) or DEFAULT_MIN_REPORTERS


def effective_min_reporters(db: sessionmaker[Session], *, team_id: str) -> int:
    with db() as session:
        return min_reporters_of(session, team_id=team_id)


def held_flags(session: Session, *, team_id: str) -> HeldFlags:
    return HeldFlags(flag_store.count_held_flags(session, team_id=team_id), min_reporters_of(session, team_id=team_id))


def held_flags_now(db: sessionmaker[Session], *, team_id: str) -> HeldFlags:
    with storage_errors(), db() as session:
        return held_flags(session, team_id=team_id)


@dataclass(frozen=True)
class PoolCheck:
    min_reporters: int  # the workspace's, as it was read under the lock
    numbers: dict[int, int]  # {flag id: number} of the flags this check released; empty: the pool is still held

    @property
    def released(self) -> int:
        return len(self.numbers)


def release_pool_if_enough(
    session: flag_store.Executor, *, team_id: str, now: datetime, counted: tuple[int, int | None] | None = None
) -> PoolCheck:
    """Release every held flag of the workspace, together, if they come from at least min_reporters different
    people (withdrawn flags are deleted, so they do not count). The caller holds `flag_store.lock_flag_counter` for
    the workspace, so that two flags written at once still see each other. counted: (reporters, min_reporters
    setting) as the caller read them under that lock (a new flag, with its INSERT), instead of counting again."""
    # The common case, answered by one statement (the count and the setting together): the flags' ids are read
    # only to be released.
    reporters, setting = counted or flag_store.count_held_reporters(session, team_id=team_id)
    minimum = setting or DEFAULT_MIN_REPORTERS
    if reporters < minimum:
        return PoolCheck(minimum, {})
    held = flag_store.list_held_flag_ids(session, team_id=team_id)
    _shuffle(held)  # numbers in no order of writing
    numbers = flag_store.release_flags(session, team_id=team_id, flag_ids=held, now=now)
    return PoolCheck(minimum, dict(zip(held, numbers, strict=True)))


def release_alone(session: Session, flag: Flag, *, now: datetime) -> None:
    """Release one flag by itself: the reporter asked for it, or chose to be named. The caller holds the lock."""
    if flag.released_at is None:
        flag.number = flag_store.next_flag_number(session, team_id=flag.team_id)
        flag.released_at = now


def release_if_enough(db: sessionmaker[Session], *, team_id: str, now: datetime) -> int:
    """The threshold may have been lowered: release the workspace's held flags if they now reach it."""
    with db.begin() as session:
        flag_store.lock_flag_counter(session, team_id=team_id)
        return release_pool_if_enough(session, team_id=team_id, now=now).released
