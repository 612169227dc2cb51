"""Several web and clock processes on one PostgreSQL database, held together while two of them are killed.

Starts 3 `python -m bot serve` processes (OAuth mode, each on its own port) and 2 `python -m bot scheduler`
processes on one new database, with 4 installed workspaces whose digests are due. Sends signed inline flags for
the 4 workspaces, spread across the web processes, and a third of the way through SIGKILLs one web process and one
scheduler (each whole process group, as a crashed machine) and starts them again. The scheduler is killed halfway
through a digest (the stand-in holds its channel check until then), so another must finish that week. A request that
gets no answer is sent again, to the next process, with the same trigger_id: a flag the killed process stored before
dying is then recognised, not stored twice. Prints flags acknowledged against flags stored, digests posted per
workspace-week, p50/p99 and every failed attempt by kind. tests/test_scale_out.py runs a short version and asserts
the counts.

    .venv/bin/python benchmarks/scale_out.py                        # 10,000 flags at concurrency 32
    .venv/bin/python benchmarks/scale_out.py --flags 500 --concurrency 8
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

sys.path[0] = str(Path(__file__).resolve().parent.parent)

from slack_sdk.oauth.installation_store import Installation  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from benchmarks.databases import POSTGRES_ADMIN_URL_DEFAULT, count_flags, postgresql_backend  # noqa: E402
from benchmarks.load import signed_headers  # noqa: E402
from benchmarks.report import percentile_ms  # noqa: E402
from benchmarks.servers import (  # noqa: E402
    ROOT,
    AppEnvironment,
    BenchmarkError,
    Server,
    free_port,
    run_migrations,
    start_server,
    stop_server,
    wait_until_ready,
)
from bot.config import Config  # noqa: E402
from bot.db.session import create_db_engine, create_session_factory  # noqa: E402
from bot.domain.workspace_settings import change_settings  # noqa: E402
from bot.slack.scopes import BOT_SCOPES  # noqa: E402
from bot.slack.tokens import create_installation_store  # noqa: E402
from tests.fake_slack_api import OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET, FakeSlackApi, start_fake_slack_api  # noqa: E402

SIGNING_SECRET = "scale-out-signing-secret"
REPORTER_KEY = "scale-out-reporter-key"
WEB_PROCESSES = 3
SCHEDULERS = 2
ATTEMPTS = 20  # per flag, across the web processes, before it counts as lost
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass
class ScaleOutResult:
    flags_sent: int = 0
    acknowledged: set[int] = field(default_factory=set)
    latencies: list[float] = field(default_factory=list)  # of the attempt that was acknowledged
    failed_attempts: Counter[str] = field(default_factory=Counter)
    flags_stored: int = 0
    duplicate_request_keys: int = 0
    digests_per_workspace_week: dict[tuple[str, str], int] = field(default_factory=dict)
    digest_summaries_per_channel: dict[str, int] = field(default_factory=dict)
    killed: list[str] = field(default_factory=list)
    left_mid_digest: list[tuple[str, str]] = field(default_factory=list)  # (team, week) still "claimed" at the kill
    lock: threading.Lock = field(default_factory=threading.Lock)  # client threads count into one result

    def failed(self, kind: str) -> None:
        with self.lock:
            self.failed_attempts[kind] += 1

    def lines(self) -> list[str]:
        p50, p99 = percentile_ms(self.latencies, 50), percentile_ms(self.latencies, 99)
        failed = ", ".join(f"{kind} x{count}" for kind, count in self.failed_attempts.most_common()) or "none"
        digests = ", ".join(f"{team} {week}: {n}" for (team, week), n in sorted(self.digests_per_workspace_week.items()))
        summaries = ", ".join(f"{channel}: {n}" for channel, n in sorted(self.digest_summaries_per_channel.items()))
        return [
            f"flags sent {self.flags_sent}, acknowledged {len(self.acknowledged)}, stored {self.flags_stored} "
            f"({'equal' if len(self.acknowledged) == self.flags_stored else 'DIFFERENT'}), "
            f"stored twice (same trigger_id) {self.duplicate_request_keys}",
            f"p50 {p50:.1f} ms, p99 {p99:.1f} ms (acknowledged attempts)" if p50 and p99 else "no latencies",
            f"failed attempts, each sent again elsewhere: {failed}",
            f"digests posted per workspace-week: {digests or 'none'}",
            f"digest summary messages per channel (the stand-in's count): {summaries or 'none'}",
            f"killed with SIGKILL and restarted: {', '.join(self.killed) or 'nothing'}",
            f"digests claimed, not yet posted, at the kill: {' '.join(map(' '.join, self.left_mid_digest)) or 'none'}",
        ]


def team_ids(workspaces: int) -> list[str]:
    return [f"T{n}" for n in range(1, workspaces + 1)]


def digest_channel(team_id: str) -> str:
    return f"CDIGEST{team_id}"


def seed_workspaces(database_url: str, fake: FakeSlackApi, teams: list[str], now: datetime) -> None:
    """Each workspace installed (as the OAuth flow would store it) with its digest due since midnight today."""
    config = Config(client_id=OAUTH_CLIENT_ID, client_secret=OAUTH_CLIENT_SECRET, reporter_key=REPORTER_KEY)
    engine = create_db_engine(database_url)
    store = create_installation_store(config, engine)
    db = create_session_factory(engine)
    for team_id in teams:
        store.save(
            Installation(
                app_id="A1",
                team_id=team_id,
                user_id="UADMIN",
                bot_token=f"xoxb-{team_id}-1",  # the stand-in answers auth.test for T2 from "xoxb-T2-…"
                bot_id=f"B{team_id}",
                bot_user_id="UBOT",
                bot_scopes=list(BOT_SCOPES),
                installed_at=now.timestamp(),
            )
        )
        fake.add_channel(digest_channel(team_id))
        change_settings(
            db,
            team_id=team_id,
            now=now,
            default_channel=None,
            channel_id=digest_channel(team_id),
            weekday=WEEKDAYS[now.weekday()],
            hour=0,
            timezone="UTC",
        )
    engine.dispose()


def start_scheduler(name: str, env: AppEnvironment, log_dir: Path) -> Server:
    log_path = log_dir / f"{name}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "scheduler"],
            cwd=ROOT,
            env=env.variables(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Server(name=name, port=0, process=process, log_path=log_path)


def start_web(name: str, env: AppEnvironment, log_dir: Path) -> Server:
    argv = [sys.executable, "-m", "bot", "serve", "--port", str(free_port()), "--host", "127.0.0.1"]
    server = start_server(name, argv, env, log_dir)
    wait_until_ready(server, "/healthz", status=200)
    return server


def kill_group(server: Server) -> None:
    """SIGKILL to the master and its workers at once: nothing gets to finish or clean up."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.process.pid, signal.SIGKILL)
    server.process.wait()


class Fleet:
    """The running processes; the load generator reads the web ports from here as they change."""

    def __init__(self, env: AppEnvironment, log_dir: Path, fake: FakeSlackApi, *, kill: bool) -> None:
        """With `kill`, the first scheduler is caught mid-digest: the stand-in holds its first conversations.info
        (the channel check, under the week's claim and lock) until it has been killed, so the kill always leaves a
        digest half done for the others to take over. The second scheduler starts once the first is held."""
        self.env, self.log_dir, self.fake = env, log_dir, fake
        self.lock = threading.Lock()
        self.channel_check = fake.hold("conversations.info") if kill else None
        self.web = [start_web(f"web-{n}", env, log_dir) for n in range(1, WEB_PROCESSES + 1)]
        self.schedulers = [start_scheduler("scheduler-1", env, log_dir)]
        if self.channel_check is not None:
            fake.wait_for("conversations.info", timeout=60)
        self.schedulers += [start_scheduler(f"scheduler-{n}", env, log_dir) for n in range(2, SCHEDULERS + 1)]

    def port_for(self, attempt: int) -> int:
        with self.lock:
            return self.web[attempt % len(self.web)].port

    def kill_and_restart(self, result: ScaleOutResult) -> None:
        """One web process and one scheduler die; a new web process takes a new port (the old one may linger)."""
        with self.lock:
            web, scheduler = self.web[0], self.schedulers[0]
        kill_group(web)
        kill_group(scheduler)
        result.killed.append(f"{web.name} (port {web.port}), {scheduler.name}")
        result.left_mid_digest = weeks_in_status(self.env.database_url, "claimed")
        if self.channel_check is not None:
            self.channel_check.set()
        scheduler_again = start_scheduler(f"{scheduler.name}-restarted", self.env, self.log_dir)
        web_again = start_web(f"{web.name}-restarted", self.env, self.log_dir)
        with self.lock:
            self.web[0], self.schedulers[0] = web_again, scheduler_again

    def stop(self) -> None:
        for server in [*self.web, *self.schedulers]:
            stop_server(server)


def flag_form(number: int, team_id: str, response_url: str) -> str:
    return urlencode(
        {
            "team_id": team_id,
            "team_domain": team_id.lower(),
            "channel_id": "C1",
            "user_id": f"U{number:07d}",
            "command": "/deadline-flag",
            "text": f"feature: scale-out flag {number}",
            "api_app_id": "A1",
            "response_url": response_url,
            "trigger_id": f"{number}.1.scaleout",  # the flag's request key: a resend is recognised
        }
    )


def send_flag(number: int, team_id: str, fleet: Fleet, response_url: str, result: ScaleOutResult) -> None:
    body = flag_form(number, team_id, response_url)
    for attempt in range(number, number + ATTEMPTS):
        headers = signed_headers(body, SIGNING_SECRET)
        connection = http.client.HTTPConnection("127.0.0.1", fleet.port_for(attempt), timeout=10)
        started = time.perf_counter()
        try:
            connection.request("POST", "/slack/events", body=body.encode(), headers=headers)
            response = connection.getresponse()
            response.read()
            if response.status == 200:
                result.latencies.append(time.perf_counter() - started)
                result.acknowledged.add(number)
                return
            result.failed(f"HTTP {response.status}")
        except (OSError, http.client.HTTPException) as error:
            result.failed(type(error).__name__)
        finally:
            connection.close()
        time.sleep(0.05)


def wait_for_digests(database_url: str, expected: int, timeout: float) -> None:
    engine = create_engine(database_url)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            with engine.connect() as connection:
                posted = connection.scalar(text("SELECT count(*) FROM digest_runs WHERE status = 'posted'"))
            if posted >= expected:
                return
            time.sleep(0.2)
    finally:
        engine.dispose()


def weeks_in_status(database_url: str, status: str) -> list[tuple[str, str]]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT team_id, iso_week FROM digest_runs WHERE status = :status ORDER BY 1"), {"status": status}
            )
            return [(team, week) for team, week in rows]
    finally:
        engine.dispose()


def count_outcome(database_url: str, fake: FakeSlackApi, teams: list[str], result: ScaleOutResult) -> None:
    result.flags_stored = count_flags(database_url)
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            keys = connection.execute(text("SELECT count(*) - count(DISTINCT (team_id, request_key)) FROM flags"))
            result.duplicate_request_keys = int(keys.scalar() or 0)
            rows = connection.execute(
                text("SELECT team_id, iso_week, count(*) FROM digest_runs WHERE status = 'posted' GROUP BY 1, 2")
            )
            result.digests_per_workspace_week = {(team, week): int(n) for team, week, n in rows}
    finally:
        engine.dispose()
    for team_id in teams:
        channel = digest_channel(team_id)
        result.digest_summaries_per_channel[channel] = sum(1 for m in fake.posted(channel) if m.thread_ts is None)


def run_scale_out(
    admin_url: str, *, flags: int, concurrency: int, workspaces: int = 4, kill: bool = True, log_dir: Path | None = None
) -> ScaleOutResult:
    result = ScaleOutResult(flags_sent=flags)
    teams = team_ids(workspaces)
    fake, fake_server = start_fake_slack_api()
    try:
        with (
            tempfile.TemporaryDirectory(prefix="deadline-flag-scale-out-") as scratch,
            postgresql_backend(admin_url) as backend,
        ):
            logs = log_dir or Path(scratch)
            logs.mkdir(parents=True, exist_ok=True)
            env = AppEnvironment(
                SIGNING_SECRET,
                fake.api_url,
                backend.url,
                REPORTER_KEY,
                web_concurrency=2,
                web_threads=2,
                client_id=OAUTH_CLIENT_ID,
                client_secret=OAUTH_CLIENT_SECRET,
            )
            run_migrations(env)
            seed_workspaces(backend.url, fake, teams, datetime.now(UTC))
            fleet = Fleet(env, logs, fake, kill=kill)
            try:
                kill_at = flags // 3 if kill else None
                with ThreadPoolExecutor(max_workers=concurrency) as pool:
                    for number in range(1, flags + 1):
                        if number == kill_at:
                            pool.submit(fleet.kill_and_restart, result)
                        team_id = teams[number % len(teams)]
                        pool.submit(send_flag, number, team_id, fleet, fake.response_url(), result)
                wait_for_digests(backend.url, expected=len(teams), timeout=60)
                count_outcome(backend.url, fake, teams, result)
            finally:
                fleet.stop()
    finally:
        fake_server.shutdown()
        fake_server.server_close()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flags", type=int, default=10_000, help="signed flags to send (default: 10000)")
    parser.add_argument("--concurrency", type=int, default=32, help="client threads (default: 32)")
    parser.add_argument("--workspaces", type=int, default=4, help="installed workspaces (default: 4)")
    parser.add_argument("--no-kill", action="store_true", help="kill nothing mid-run")
    parser.add_argument("--postgres-url", default=POSTGRES_ADMIN_URL_DEFAULT)
    parser.add_argument("--log-dir", type=Path, help="keep the processes' logs here")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        result = run_scale_out(
            args.postgres_url,
            flags=args.flags,
            concurrency=args.concurrency,
            workspaces=args.workspaces,
            kill=not args.no_kill,
            log_dir=args.log_dir,
        )
    except BenchmarkError as problem:
        print(f"benchmark failed: {problem}", file=sys.stderr)
        return 1
    print(
        f"scale-out: {WEB_PROCESSES} serve (2 workers x 2 threads each) + {SCHEDULERS} scheduler processes on one "
        f"PostgreSQL, {args.workspaces} workspaces, {args.flags} flags at concurrency {args.concurrency}, "
        f"{os.cpu_count()} CPUs shared with the load generator; {time.perf_counter() - started:.0f} s in all"
    )
    print("\n".join(result.lines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
