"""How much does deadline-flag cost over a bare Bolt app on the same server? Prints figures, never asserts.

Both apps run as real gunicorn subprocesses with identical configuration, against a fake Slack Web API, and get the
same signed slash commands in alternating batches (A B B A ...), so a noisy machine slows both alike.

    .venv/bin/python benchmarks/run.py                          # SQLite, and PostgreSQL if it answers
    .venv/bin/python benchmarks/run.py --requests 500 --concurrency 1,8,32 --databases postgresql
    .venv/bin/python benchmarks/run.py --text "" --lazy-listeners   # the modal path, ours beside Bolt's lazy listeners
"""

from __future__ import annotations

import argparse
import itertools
import os
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from pathlib import Path
from types import FrameType

# Run as a script, Python puts benchmarks/ first on the path: put the project root there instead, so
# `benchmarks`, `bot` and `tests` import as packages.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from benchmarks.databases import (  # noqa: E402
    POSTGRES_ADMIN_URL_DEFAULT,
    POSTGRESQL,
    SQLITE,
    Backend,
    count_flags,
    is_postgres_reachable,
    postgresql_backend,
    sqlite_backend,
)
from benchmarks.load import LoadResult, Target, run_load  # noqa: E402
from benchmarks.report import Row, best_bare_line, failure_line, ratio_line, rss_line, table_lines, throughput  # noqa: E402
from benchmarks.servers import (  # noqa: E402
    AppEnvironment,
    BenchmarkError,
    Server,
    process_rss,
    run_migrations,
    server_cpu_seconds,
    start_bare_bolt,
    start_deadline_flag,
    start_lazy_listeners,
    stop_server,
    wait_until_ready,
)
from bot.config import Config  # noqa: E402
from tests.fake_slack_api import FakeSlackApi, start_fake_slack_api  # noqa: E402

DEADLINE_FLAG = "deadline-flag"
LAZY_LISTENERS = "lazy listeners"  # deadline-flag with Bolt's lazy listeners for the command (lazy_listener_app.py)
BARE_BOLT = "bare bolt"
SIGNING_SECRET = "bench-signing-secret"
REPORTER_KEY = "bench-reporter-key"


@dataclass(frozen=True)
class Options:
    requests: int
    concurrency: list[int]
    warmup: int
    rounds: int
    databases: list[str]
    postgres_url: str
    web_concurrency: int
    web_threads: int
    keepalive: bool
    log_dir: Path | None
    text: str = Target.text
    lazy_listeners: bool = False
    bare_configs: tuple[tuple[int, int], ...] = ()  # (workers, threads): the bare app also under these settings


def _positive_ints(value: str) -> list[int]:
    numbers = [int(part) for part in value.split(",") if part.strip()]
    if not numbers or min(numbers) < 1:
        raise argparse.ArgumentTypeError(f"expected positive whole numbers separated by commas, got {value!r}")
    return numbers


def _worker_configs(value: str) -> tuple[tuple[int, int], ...]:
    """ "1x10,2x4" (workers x threads); "" for none."""
    configs = []
    for part in filter(None, (p.strip() for p in value.split(","))):
        workers, _, threads = part.partition("x")
        if not (workers.isdigit() and threads.isdigit() and int(workers) > 0 and int(threads) > 0):
            raise argparse.ArgumentTypeError(f"expected WORKERSxTHREADS separated by commas, got {part!r}")
        configs.append((int(workers), int(threads)))
    return tuple(configs)


def _databases(value: str) -> list[str]:
    names = [part.strip() for part in value.split(",") if part.strip()]
    unknown = set(names) - {SQLITE, POSTGRESQL}
    if not names or unknown:
        raise argparse.ArgumentTypeError(f"choose from sqlite,postgresql; got {value!r}")
    return names


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="benchmarks/run.py",
        description="Load deadline-flag (python -m bot serve) and a bare Bolt app on the same gunicorn settings "
        "with signed /deadline-flag commands, and print throughput, latency, stored flags and memory.",
    )
    add = parser.add_argument
    add("--requests", type=int, default=200, help="measured requests per app and concurrency level (default: 200)")
    add("--concurrency", type=_positive_ints, default=[1, 16], help="client threads, one run per value (default: 1,16)")
    add("--warmup", type=int, default=20, help="uncounted requests per app before measuring (default: 20)")
    add("--rounds", type=int, default=2, help="batches per app and level, alternating which app goes first (default: 2)")
    add("--databases", type=_databases, default=[SQLITE, POSTGRESQL], help="sqlite,postgresql (default: both)")
    add("--postgres-url", default=POSTGRES_ADMIN_URL_DEFAULT, help=f"admin URL (default: {POSTGRES_ADMIN_URL_DEFAULT})")
    add(
        "--web-concurrency",
        type=int,
        default=None,
        help="gunicorn workers for both apps: WEB_CONCURRENCY (default: the app's own, 1 on SQLite, 2 on PostgreSQL)",
    )
    add("--web-threads", type=int, default=2, help="threads per worker for both apps: WEB_THREADS (default: 2, the app's)")
    add("--no-keepalive", action="store_true", help="open a new connection for every request")
    add("--log-dir", type=Path, help="keep the servers' logs here (default: a temp dir, removed on exit)")
    add(
        "--text",
        default=Target.text,
        help='the command text, {number} replaced per request (default: "%(default)s"); "" opens the flag modal',
    )
    add(
        "--bare-configs",
        type=_worker_configs,
        default=_worker_configs(f"1x10,{os.cpu_count() or 1}x4"),
        help="also run the bare app under these gunicorn settings, WORKERSxTHREADS (default: 1x10 and nproc x 4); "
        "the ratios are then given against the best of them too",
    )
    add(
        "--lazy-listeners",
        action="store_true",
        help="also load deadline-flag with Bolt's lazy listeners for the command (benchmarks/lazy_listener_app.py)",
    )
    return parser


def parse_options(argv: list[str] | None = None) -> Options:
    args = build_parser().parse_args(argv)
    if args.requests < 1 or args.warmup < 0 or args.rounds < 1:
        build_parser().error("--requests and --rounds must be at least 1, --warmup at least 0")
    return Options(
        requests=args.requests,
        concurrency=args.concurrency,
        warmup=args.warmup,
        rounds=min(args.rounds, args.requests),
        databases=args.databases,
        postgres_url=args.postgres_url,
        web_concurrency=args.web_concurrency,
        web_threads=args.web_threads,
        keepalive=not args.no_keepalive,
        log_dir=args.log_dir,
        text=args.text,
        lazy_listeners=args.lazy_listeners,
        bare_configs=args.bare_configs,
    )


class RequestNumbers:
    """Numbers every request across the whole run, so each has its own user id and text."""

    def __init__(self) -> None:
        self._counter = itertools.count(1)

    def take(self, count: int) -> list[int]:
        return list(itertools.islice(self._counter, count))


def batch_sizes(total: int, rounds: int) -> list[int]:
    return [total // rounds + (1 if index < total % rounds else 0) for index in range(rounds)]


def progress(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def measure_level(
    targets: dict[str, Target], servers: dict[str, Server], options: Options, concurrency: int, numbers: RequestNumbers
) -> dict[str, LoadResult]:
    """Each app gets `requests` commands in `rounds` batches; the first app alternates (A B B A), so drift hits both.
    Each batch's server CPU is read from /proc before and after it (the other apps are idle meanwhile)."""
    results = {app: LoadResult() for app in targets}
    for index, size in enumerate(batch_sizes(options.requests, options.rounds)):
        order = list(targets) if index % 2 == 0 else list(reversed(targets))
        for app in order:
            cpu_before = server_cpu_seconds(servers[app])
            batch = run_load(targets[app], numbers.take(size), concurrency)
            # After-ack work (a modal opened after the answer) is part of the cost: let it finish before reading.
            settle_after_ack_work()
            batch.server_cpu_seconds = server_cpu_seconds(servers[app]) - cpu_before
            results[app].merge(batch)
    return results


def settle_after_ack_work(seconds: float = 0.3) -> None:
    time.sleep(seconds)


def warm_up(targets: dict[str, Target], options: Options, numbers: RequestNumbers) -> dict[str, LoadResult]:
    """Uncounted requests at the highest concurrency, so every worker has booted, connected and imported."""
    return {app: run_load(target, numbers.take(options.warmup), max(options.concurrency)) for app, target in targets.items()}


def start_apps(env: AppEnvironment, backend: Backend, log_dir: Path, options: Options) -> dict[str, Server]:
    servers: dict[str, Server] = {}
    servers[DEADLINE_FLAG] = start_deadline_flag(f"{backend.name}-deadline-flag", env, log_dir)
    if options.lazy_listeners:
        servers[LAZY_LISTENERS] = start_lazy_listeners(f"{backend.name}-lazy-listeners", env, log_dir)
    servers[BARE_BOLT] = start_bare_bolt(f"{backend.name}-bare-bolt", env, log_dir)
    for workers, threads in options.bare_configs:
        name = bare_name(workers, threads)
        settings = replace(env, web_concurrency=workers, web_threads=threads)
        servers[name] = start_bare_bolt(f"{backend.name}-{name.replace(' ', '-')}", settings, log_dir)
    return servers


def bare_name(workers: int, threads: int) -> str:
    return f"bare {workers}x{threads}"


def is_bare(app: str) -> bool:
    return app == BARE_BOLT or app.startswith("bare ")


def wait_for_apps(servers: dict[str, Server]) -> None:
    wait_until_ready(servers[DEADLINE_FLAG], "/healthz", status=200)
    if LAZY_LISTENERS in servers:
        wait_until_ready(servers[LAZY_LISTENERS], "/healthz", status=200)
    # The bare app has no /healthz: any answer (Bolt's 404 for a GET) means a worker serves requests.
    for app, server in servers.items():
        if is_bare(app):
            wait_until_ready(server, "/slack/events", status=None)


def targets_for(servers: dict[str, Server], options: Options, fake: FakeSlackApi) -> dict[str, Target]:
    return {
        app: Target(
            "127.0.0.1", server.port, SIGNING_SECRET, fake.response_url(), keepalive=options.keepalive, text=options.text
        )
        for app, server in servers.items()
    }


def stored_cell(stored: int, sent: int) -> str:
    return f"{stored}/{sent}"


def bench_backend(
    backend: Backend, options: Options, fake: FakeSlackApi, log_dir: Path, numbers: RequestNumbers
) -> list[str]:
    """Run every concurrency level on one backend and return its report lines. Servers stop even on failure."""
    # Both apps get the same explicit settings: the app's defaults for this backend unless overridden.
    workers = options.web_concurrency or Config(database_url=backend.url).workers
    env = AppEnvironment(SIGNING_SECRET, fake.api_url, backend.url, REPORTER_KEY, workers, options.web_threads)
    if backend.name == POSTGRESQL:
        run_migrations(env)
    servers: dict[str, Server] = {}
    try:
        servers = start_apps(env, backend, log_dir, options)
        wait_for_apps(servers)
        progress(f"{backend.name}: both apps ready, warming up")
        targets = targets_for(servers, options, fake)
        before = count_flags(backend.url)
        warmed = warm_up(targets, options, numbers)
        after_warmup = count_flags(backend.url)
        rows, notes = _measure_all(backend, targets, servers, options, numbers, after_warmup)
        total_stored = count_flags(backend.url) - before
        notes.append(_totals_line(backend, options, warmed[DEADLINE_FLAG], after_warmup - before, total_stored))
        notes.extend(rss_line(app, *process_rss(server)) for app, server in servers.items())
        notes.extend(_log_tails(rows, servers))
        return [*table_lines(rows), *notes]
    finally:
        for server in servers.values():
            stop_server(server)


def _measure_all(
    backend: Backend,
    targets: dict[str, Target],
    servers: dict[str, Server],
    options: Options,
    numbers: RequestNumbers,
    stored_so_far: int,
) -> tuple[list[Row], list[str]]:
    rows: list[Row] = []
    notes: list[str] = []
    for concurrency in options.concurrency:
        progress(f"{backend.name}: {options.requests} requests per app at concurrency {concurrency}")
        results = measure_level(targets, servers, options, concurrency, numbers)
        stored_now = count_flags(backend.url)
        app_result, bare_result = results[DEADLINE_FLAG], results[BARE_BOLT]
        storing = [app for app in results if not is_bare(app)]  # both variants of deadline-flag write one database
        stored = stored_cell(stored_now - stored_so_far, flags_expected(options, sum(results[a].sent for a in storing)))
        stored_so_far = stored_now
        for app, result in results.items():
            cell = stored if app == DEADLINE_FLAG else "(above)" if app == LAZY_LISTENERS else "-"
            rows.append(Row(backend.name, app, concurrency, result, cell))
        notes.append(ratio_line(backend.name, concurrency, app_result, bare_result))
        if LAZY_LISTENERS in results:
            notes.append(ratio_line(backend.name, concurrency, results[LAZY_LISTENERS], bare_result, name=LAZY_LISTENERS))
        bares = {app: result for app, result in results.items() if is_bare(app)}
        if len(bares) > 1:
            best = max(bares, key=lambda app: throughput(bares[app]) or 0.0)
            notes.append(best_bare_line(backend.name, concurrency, app_result, best, bares[best]))
    notes.extend(line for row in rows if (line := failure_line(row)))
    return rows, notes


def flags_expected(options: Options, sent: int) -> int:
    """Every inline command stores a flag; the empty one (--text "") only opens the modal."""
    return sent if options.text.strip() else 0


def _totals_line(backend: Backend, options: Options, warmed: LoadResult, warmup_stored: int, total_stored: int) -> str:
    apps = 2 if options.lazy_listeners else 1
    expected = flags_expected(options, (warmed.sent + options.requests * len(options.concurrency)) * apps)
    lost = expected - total_stored
    return (
        f"flags {backend.name}: {total_stored} stored of {expected} expected (warm-up {warmup_stored}/{warmed.sent}, "
        f"warm-up errors {warmed.errors}); {'no lost writes' if lost == 0 else f'DIFFERENCE {lost}'}"
    )


def _log_tails(rows: list[Row], servers: dict[str, Server]) -> list[str]:
    """The last log lines of a server that answered with errors: the first thing anyone asks for."""
    failed = {row.app for row in rows if row.result.errors}
    return [f"last log lines of {app}:\n{servers[app].log_tail()}" for app in sorted(failed)]


def backends(options: Options, directory: Path) -> Iterator[AbstractContextManager[Backend] | str]:
    """Each requested backend as a context manager, or a line saying why it is skipped."""
    for name in options.databases:
        if name == SQLITE:
            yield sqlite_backend(directory)
        elif is_postgres_reachable(options.postgres_url):
            yield postgresql_backend(options.postgres_url)
        else:
            yield f"postgresql: nothing answers at {options.postgres_url}; skipped"


def header_lines(options: Options) -> list[str]:
    return [
        f"deadline-flag vs bare bolt: {options.requests} requests per app and level in {options.rounds} alternating "
        f"batches, warm-up {options.warmup}, keep-alive {'on' if options.keepalive else 'off'}",
        f"both apps: gunicorn gthread, WEB_CONCURRENCY={options.web_concurrency or 'app default (1 SQLite, 2 PostgreSQL)'}, "
        f"WEB_THREADS={options.web_threads}; "
        f"client and servers share {os.cpu_count()} CPUs",
    ]


def fake_api_line(fake: FakeSlackApi) -> str:
    calls = Counter(call.method for call in list(fake.calls))
    listed = ", ".join(f"{method} x{count}" for method, count in sorted(calls.items())) or "none"
    return f"fake Slack Web API calls (nothing went to slack.com): {listed}"


def run(options: Options) -> int:
    fake, fake_server = start_fake_slack_api()
    # The load generator makes up its trigger ids: Slack's would be real, so views.open is not refused for them.
    fake.lenient.add("trigger_id")
    print("\n".join(header_lines(options)), flush=True)
    numbers = RequestNumbers()
    try:
        with tempfile.TemporaryDirectory(prefix="deadline-flag-bench-") as scratch:
            log_dir = options.log_dir or Path(scratch)
            log_dir.mkdir(parents=True, exist_ok=True)
            for backend in backends(options, Path(scratch)):
                if isinstance(backend, str):
                    print(f"\n{backend}", flush=True)
                    continue
                with backend as ready:
                    lines = bench_backend(ready, options, fake, log_dir, numbers)
                print("\n" + "\n".join(lines), flush=True)
        print("\n" + fake_api_line(fake), flush=True)
    finally:
        fake_server.shutdown()
        fake_server.server_close()
    return 0


def exit_on_sigterm(signum: int, frame: FrameType | None) -> None:
    """SIGTERM's default kills Python at once; as SystemExit it runs the `finally` blocks that stop the servers."""
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    options = parse_options(argv)
    signal.signal(signal.SIGTERM, exit_on_sigterm)
    try:
        return run(options)
    except BenchmarkError as problem:
        print(f"benchmark failed: {problem}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("benchmark interrupted; servers stopped and the PostgreSQL database dropped", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
