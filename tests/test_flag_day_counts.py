"""The counts kept beside the flags (`flag_day_counts`, kept by triggers) never drift from the flags, and the periods
counted from them are exact: after random writes, releases, edits, status changes, withdrawals, retention, purges and
an operator's own SQL, they equal a recount, on SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
import random
from collections import Counter
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from bot.db import flags as flag_store
from bot.db.counts import EVER, NEVER, count_released
from bot.db.models import Flag, FlagDayCount
from bot.domain import flags
from bot.domain.agreement import agreement_of
from bot.domain.outcomes import OPEN_STATUSES, Status, change_status
from bot.domain.retention import purge_expired_flags
from bot.domain.uninstalls import purge_workspace
from bot.domain.workspace_settings import change_settings

KEY = b"test-reporter-key"
LEAD = "U0LEAD"
TEAMS = ("T1", "T2")
START = datetime(2026, 9, 1, tzinfo=UTC)


def kept_counts(db: sessionmaker[Session]) -> Counter[tuple[str, object, int, str]]:
    with db() as session:
        rows = session.execute(
            select(FlagDayCount.team_id, FlagDayCount.day, FlagDayCount.clause_id, FlagDayCount.status, FlagDayCount.flags)
        )
        return Counter({(team, day, clause, status): n for team, day, clause, status, n in rows if n})


def recount(db: sessionmaker[Session]) -> Counter[tuple[str, object, int, str]]:
    with db() as session:
        released = session.scalars(select(Flag).where(Flag.released_at.is_not(None)))
        return Counter((f.team_id, f.released_at.date(), f.clause_id, f.status) for f in released)


def brute_count(db: sessionmaker[Session], team_id: str, boundaries: list[datetime], statuses=None) -> dict:
    counts: Counter[tuple[int, int]] = Counter()
    with db() as session:
        for f in session.scalars(select(Flag).where(Flag.team_id == team_id, Flag.released_at.is_not(None))):
            if boundaries[0] <= f.released_at < boundaries[-1] and (statuses is None or f.status in statuses):
                bucket = max(i for i, b in enumerate(boundaries[:-1]) if b <= f.released_at)
                counts[bucket, f.clause_id] += 1
    return dict(counts)


def moment(rng: random.Random) -> datetime:
    """A time in the ten weeks from START, often exactly at a midnight or a microsecond either side of one."""
    day = START + timedelta(days=rng.randrange(70))
    return rng.choice(
        [
            day,
            day - timedelta(microseconds=1),
            day + timedelta(microseconds=1),
            day + timedelta(seconds=rng.randrange(86400)),
        ]
    )


class Workload:
    """Random operations on two workspaces, each through the code path the app uses for it."""

    def __init__(self, db: sessionmaker[Session], engine: Engine, rng: random.Random) -> None:
        self.db, self.engine, self.rng = db, engine, rng
        self.now = START

    def tick(self) -> datetime:
        self.now += timedelta(seconds=self.rng.choice([1, 600, 7200, 86400, 3 * 86400]))
        return self.now

    def team(self) -> str:
        return self.rng.choice(TEAMS)

    def keyword(self, team_id: str) -> str:
        return self.rng.choice([c.keyword for c in agreement_of(self.db, team_id=team_id).active])

    def released_numbers(self, team_id: str) -> list[int]:
        with self.db() as session:
            return [f.number for f in flag_store.list_visible_flags(session, team_id=team_id)]

    def own_flags(self, team_id: str) -> list[tuple[int, str]]:
        """(flag id, reporter user id) of flags whose reporters the test knows (the summary says who)."""
        with self.db() as session:
            return [(f.id, f.summary.split()[0]) for f in flag_store.list_flags(session, team_id=team_id)]

    def record(self) -> None:
        team_id = self.team()
        reporter = f"U{self.rng.randrange(6)}"
        report = flags.FlagReport(
            team_id, reporter, self.keyword(team_id), f"{reporter} says", name_reporter=self.rng.random() < 0.2
        )
        flags.record_flag(self.db, report, reporter_key=KEY, now=self.tick())

    def edit(self) -> None:
        team_id = self.team()
        if mine := self.own_flags(team_id):
            flag_id, reporter = self.rng.choice(mine)
            report = flags.FlagReport(
                team_id, reporter, self.keyword(team_id), f"{reporter} says, edited", name_reporter=self.rng.random() < 0.3
            )
            flags.update_flag(self.db, flag_id, report, reporter_key=KEY, now=self.tick())

    def release_mine(self) -> None:
        team_id = self.team()
        if mine := self.own_flags(team_id):
            flag_id, reporter = self.rng.choice(mine)
            with contextlib.suppress(flags.AlreadyReleased):
                flags.release_own_flag(
                    self.db, team_id=team_id, flag_id=flag_id, reporter_id=reporter, reporter_key=KEY, now=self.tick()
                )

    def withdraw(self) -> None:
        team_id = self.team()
        if mine := self.own_flags(team_id):
            flag_id, reporter = self.rng.choice(mine)
            flags.withdraw_flag(self.db, team_id=team_id, flag_id=flag_id, reporter_id=reporter, reporter_key=KEY)

    def change_status(self) -> None:
        team_id = self.team()
        if numbers := self.released_numbers(team_id):
            change_status(
                self.db,
                team_id=team_id,
                flag_number=self.rng.choice(numbers),
                to_status=self.rng.choice(list(Status)),
                changed_by=LEAD,
                actor_is_admin=True,
                reporter_key=KEY,
                now=self.tick(),
            )

    def lower_the_minimum(self) -> None:
        change_settings(self.db, team_id=self.team(), now=self.tick(), min_reporters=self.rng.choice([1, 2, 3]))

    def retention(self) -> None:
        change_settings(self.db, team_id=self.team(), now=self.now, retention_days=30)
        purge_expired_flags(self.db, now=self.now)

    def purge(self) -> None:
        purge_workspace(self.db, self.team())

    def operators_sql(self) -> None:
        """What no code path of the app does: an operator's own UPDATE and DELETE, moving released flags to another
        day and status, and deleting one."""
        with self.engine.begin() as connection:
            released = list(connection.scalars(select(Flag.id).where(Flag.released_at.is_not(None))))
            if not released:
                return
            chosen = self.rng.sample(released, min(3, len(released)))
            for flag_id in chosen[:2]:
                moved = Flag.__table__.update().where(Flag.id == flag_id)
                connection.execute(moved.values(released_at=moment(self.rng), status=self.rng.choice(list(Status)).value))
            connection.execute(Flag.__table__.delete().where(Flag.id == chosen[-1]))

    def run(self, steps: int) -> None:
        operations = (
            [self.record] * 8
            + [self.edit, self.release_mine, self.withdraw, self.lower_the_minimum, self.operators_sql]
            + [self.change_status] * 3
        )
        for step in range(steps):
            self.rng.choice(operations)()
            if step == steps // 2:
                self.rng.choice([self.retention, self.purge])()


@pytest.mark.parametrize("seed", range(4))
def test_the_counts_kept_beside_the_flags_equal_a_recount_after_random_work(
    db: sessionmaker[Session], engine: Engine, seed: int
) -> None:
    rng = random.Random(seed)
    workload = Workload(db, engine, rng)
    workload.run(70)

    assert sum(recount(db).values()) > 0, "the workload released no flag: it tested nothing"
    assert kept_counts(db) == recount(db)


@pytest.mark.parametrize("seed", range(4))
def test_a_period_counted_from_the_kept_counts_is_exact_at_any_boundaries(
    db: sessionmaker[Session], engine: Engine, seed: int
) -> None:
    rng = random.Random(100 + seed)
    Workload(db, engine, rng).run(50)
    for _ in range(10):
        boundaries = sorted({moment(rng) for _ in range(rng.randrange(2, 6))})
        if len(boundaries) < 2:
            continue
        for team_id in TEAMS:
            with db() as session:
                counted = count_released(session, team_id=team_id, boundaries=boundaries)
                still_open = count_released(
                    session, team_id=team_id, boundaries=[EVER, boundaries[0], NEVER], statuses=OPEN_STATUSES
                )
            assert counted == brute_count(db, team_id, boundaries)
            assert still_open == brute_count(db, team_id, [EVER, boundaries[0], NEVER], OPEN_STATUSES)


def test_a_period_inside_one_day_and_one_at_midnights_are_counted_from_the_right_rows(
    db: sessionmaker[Session],
) -> None:
    day = START + timedelta(days=3)
    for offset in (timedelta(0), timedelta(hours=5), timedelta(hours=23, minutes=59)):
        flags.record_flag(
            db, flags.FlagReport("T1", "U1", "deadline", "named", name_reporter=True), reporter_key=KEY, now=day + offset
        )
    [clause_id] = {c for (_, _, c, _) in recount(db)}

    def count(*edges: datetime) -> dict[tuple[int, int], int]:
        with db() as session:
            return count_released(session, team_id="T1", boundaries=list(edges))

    assert count(day, day + timedelta(days=1)) == {(0, clause_id): 3}  # a whole day: its row alone
    assert count(day + timedelta(hours=1), day + timedelta(hours=6)) == {(0, clause_id): 1}  # inside one day
    assert count(day - timedelta(days=1), day + timedelta(hours=5), day + timedelta(days=2)) == {
        (0, clause_id): 1,
        (1, clause_id): 2,
    }  # the flag at 05:00 opens the second bucket
    assert count(day + timedelta(days=1), day + timedelta(days=2)) == {}


def test_the_triggers_that_keep_the_counts_are_there_at_head(engine: Engine) -> None:
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            names = set(connection.scalars(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")))
            expected = {f"flag_day_counts_after_{event}" for event in ("insert", "delete", "update")}
        else:
            names = set(connection.scalars(text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")))
            expected = {"flag_day_counts_follow"}
    assert expected <= names


def test_counts_are_kept_per_utc_day_of_release(db: sessionmaker[Session]) -> None:
    late = datetime.combine(START.date(), time(23, 30), UTC)
    flags.record_flag(db, flags.FlagReport("T1", "U1", "deadline", "named", name_reporter=True), reporter_key=KEY, now=late)
    [(team_id, day, _, status)] = kept_counts(db)
    assert (team_id, day, status) == ("T1", START.date(), "open")
