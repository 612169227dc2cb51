"""How does building the weekly digest scale with a workspace's flags? Prints figures, never asserts.

For 1k, 10k and 100k flags in one workspace (plus as many in a second workspace that the digest must ignore),
times `build_digest` + `digest_posts` (median of several runs), then the same with the trend chart drawn
(`bot.chart.trend_png`, what the clock uploads), and the peak Python memory of the whole with the chart
(tracemalloc), on SQLite and, when it answers, PostgreSQL, in two shapes:

- history: the last ten weeks hold the same 1,000 flags at every size, the rest is up to two years old. This is
  a workspace growing older: the digest reads only its window, so size should barely matter.
- dense: every flag is in the last ten weeks. The window itself grows 100x: its counts are still read from the
  counts kept per day (bot/db/counts.py), but the leads' response-time figures read each answered flag in it.

In both, one recent flag in ten has been acknowledged by a lead, so response times have answers to read.

    .venv/bin/python benchmarks/digest.py
    .venv/bin/python benchmarks/digest.py --sizes 1000,100000 --databases postgresql
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)

from sqlalchemy import insert, select  # noqa: E402

from benchmarks.databases import (  # noqa: E402
    POSTGRES_ADMIN_URL_DEFAULT,
    Backend,
    is_postgres_reachable,
    postgresql_backend,
    sqlite_backend,
)
from bot.blocks.digest import digest_posts  # noqa: E402
from bot.chart import trend_png  # noqa: E402
from bot.db.migrate import upgrade_to_head  # noqa: E402
from bot.db.models import Flag, FlagStatusChange  # noqa: E402
from bot.db.session import create_db_engine, create_session_factory  # noqa: E402
from bot.domain.agreement import agreement_of  # noqa: E402
from bot.domain.digest import build_digest, rolling_week  # noqa: E402

NOW = datetime(2026, 11, 30, 9, tzinfo=UTC)
BATCH = 5000


RECENT = 10 * 7 * 24 * 3600  # ten weeks, in seconds
HISTORY = 2 * 365 * 24 * 3600


def seed(database_url: str, team_id: str, count: int, *, first: int, shape: str) -> None:
    """Flags number `first` to `first + count`, by bulk Core insert (the setup is not what we time).

    history: the first 1,000 in the last ten weeks, later ones older; dense: all in the last ten weeks.
    """
    engine = create_db_engine(database_url)
    rng = random.Random(first)

    def age(i: int) -> int:
        return rng.randrange(RECENT) if shape == "dense" or i < 1000 else rng.randrange(RECENT, HISTORY)

    clause_ids = [c.id for c in agreement_of(create_session_factory(engine), team_id=team_id).clauses]
    with engine.begin() as connection:
        for start in range(first, first + count, BATCH):
            rows = [
                {
                    "team_id": team_id,
                    "number": i + 1,
                    "clause_id": rng.choice(clause_ids),
                    "summary": f"benchmark flag {i} " + "x" * 200,
                    "reporter_hash": "h" * 64,
                    "reporter_named": False,
                    "status": "open",
                    "created_at": NOW - timedelta(seconds=age(i)),
                }
                for i in range(start, min(first + count, start + BATCH))
            ]
            for row in rows:  # released as they were stored: a digest reads the flags leads may see
                row["released_at"] = row["created_at"]
            connection.execute(insert(Flag), rows)
        answered = connection.execute(
            select(Flag.id, Flag.created_at).where(
                Flag.team_id == team_id, Flag.number >= first, Flag.created_at >= NOW - timedelta(seconds=RECENT)
            )
        ).all()
        changes = [
            {
                "team_id": team_id,
                "flag_id": flag_id,
                "from_status": "open",
                "to_status": "acknowledged",
                "changed_by": "ULEAD",
                "changed_at": min(NOW, created_at + timedelta(hours=rng.randrange(1, 200))),
            }
            for flag_id, created_at in answered[::10]
        ]
        if changes:
            connection.execute(insert(FlagStatusChange), changes)
    engine.dispose()


def settle(database_url: str) -> None:
    """What autovacuum (PostgreSQL) or a running app's ANALYZE would have done by now to a table loaded in bulk:
    statistics for the planner, PostgreSQL's visibility map, without which index-only scans visit every row, and the
    day counts' dead row versions, one per flag the triggers counted in."""
    engine = create_db_engine(database_url)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        postgresql = engine.dialect.name == "postgresql"
        connection.exec_driver_sql("VACUUM ANALYZE flags, flag_day_counts, flag_status_changes" if postgresql else "ANALYZE")
    engine.dispose()


def build(db, team_id: str, *, chart: bool):  # type: ignore[no-untyped-def]
    digest = build_digest(db, team_id=team_id, period=rolling_week(NOW))
    digest_posts(digest)
    if chart:
        assert digest.learnings is not None
        trend_png(digest.learnings)
    return digest


def measure(database_url: str, team_id: str, repeats: int) -> tuple[float, float, float, int]:
    """(median seconds without the chart, median seconds with it, peak MiB with it, flags in the period)."""
    engine = create_db_engine(database_url)
    db = create_session_factory(engine)
    build(db, team_id, chart=True)  # warm the pool, the caches and matplotlib's fonts
    timings: dict[bool, list[float]] = {False: [], True: []}
    for _ in range(repeats):
        for chart in (False, True):
            started = time.perf_counter()
            digest = build(db, team_id, chart=chart)
            timings[chart].append(time.perf_counter() - started)
    tracemalloc.start()
    build(db, team_id, chart=True)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    engine.dispose()
    return statistics.median(timings[False]), statistics.median(timings[True]), peak / 2**20, digest.total


def run_backend(backend: Backend, sizes: list[int], repeats: int, shape: str) -> list[str]:
    lines, seeded, baseline = [], 0, None
    team_id, neighbour = f"T{shape.upper()}", f"N{shape.upper()}"
    for size in sorted(sizes):
        # Grow the same workspace (1k, then 10k, then 100k), and a neighbour the digest must not read.
        seed(backend.url, team_id, size - seeded, first=seeded, shape=shape)
        seed(backend.url, neighbour, size - seeded, first=seeded, shape=shape)
        seeded = size
        settle(backend.url)
        seconds, charted, peak_mib, in_period = measure(backend.url, team_id, repeats)
        baseline = baseline or charted
        lines.append(
            f"{backend.name:<11} {shape:<8} {size:>8,} {in_period:>10,} {seconds * 1000:>10.1f} {charted * 1000:>10.1f} "
            f"{charted / baseline:>8.2f}x {peak_mib:>10.2f}"
        )
    return lines


def run_shapes(backend: Backend, sizes: list[int], repeats: int, shapes: list[str]) -> None:
    upgrade_to_head(backend.url)
    for shape in shapes:
        print("\n".join(run_backend(backend, sizes, repeats, shape)), flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="flags per workspace (default: 1000,10000,100000)")
    parser.add_argument("--repeats", type=int, default=7, help="timed runs per size (median reported)")
    parser.add_argument("--databases", default="sqlite,postgresql", help="sqlite and/or postgresql")
    parser.add_argument("--shapes", default="history,dense", help="history and/or dense (see above)")
    parser.add_argument("--postgres-url", default=POSTGRES_ADMIN_URL_DEFAULT, help="admin URL to create a scratch database")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    shapes = args.shapes.split(",")
    print("backend     shape       flags  in period  median ms   +chart ms  vs first  peak MiB")
    with tempfile.TemporaryDirectory() as directory:
        if "sqlite" in args.databases:
            with sqlite_backend(Path(directory)) as backend:
                run_shapes(backend, sizes, args.repeats, shapes)
        if "postgresql" in args.databases:
            if is_postgres_reachable(args.postgres_url):
                with postgresql_backend(args.postgres_url) as backend:
                    run_shapes(backend, sizes, args.repeats, shapes)
            else:
                print("postgresql  skipped: no server answers at", args.postgres_url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
