"""The two apps as real subprocesses: started, waited for, measured (RSS) and stopped, even after a failure."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Configuration the apps read from the environment: ours replace the caller's, and the rest are dropped.
APP_VARIABLES = {
    "SLACK_SIGNING_SECRET",
    "SLACK_BOT_TOKEN",
    "SLACK_APP_TOKEN",
    "SLACK_API_URL",
    "DATABASE_URL",
    "DIGEST_CHANNEL",
    "PORT",
    "REPORTER_KEY",
    "WEB_CONCURRENCY",
    "WEB_THREADS",
    "SLACK_CLIENT_ID",
    "SLACK_CLIENT_SECRET",
}
STOP_TIMEOUT = 30.0  # gunicorn's graceful_timeout is 20 s


class BenchmarkError(Exception):
    """Something the benchmark needs did not work; the message says what, with the server's last log lines."""


@dataclass(frozen=True)
class AppEnvironment:
    """The same values for both apps, except DATABASE_URL, which only deadline-flag uses."""

    signing_secret: str
    api_url: str
    database_url: str
    reporter_key: str
    web_concurrency: int
    web_threads: int
    bot_token: str = "xoxb-bench"
    app_token: str | None = None  # SLACK_APP_TOKEN: serve over Socket Mode
    client_id: str | None = None  # OAuth mode (many workspaces, tokens from the installation store), with the secret
    client_secret: str | None = None

    def variables(self) -> dict[str, str]:
        env = {name: value for name, value in os.environ.items() if name not in APP_VARIABLES}
        env.update(
            SLACK_SIGNING_SECRET=self.signing_secret,
            SLACK_BOT_TOKEN=self.bot_token,
            SLACK_API_URL=self.api_url,
            DATABASE_URL=self.database_url,
            REPORTER_KEY=self.reporter_key,
            WEB_CONCURRENCY=str(self.web_concurrency),
            WEB_THREADS=str(self.web_threads),
        )
        if self.app_token:
            env["SLACK_APP_TOKEN"] = self.app_token
        if self.client_id and self.client_secret:
            del env["SLACK_BOT_TOKEN"]
            env.update(SLACK_CLIENT_ID=self.client_id, SLACK_CLIENT_SECRET=self.client_secret)
        return env


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path

    def log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


def free_port() -> int:
    """A port nobody listens on now; the server binds it a moment later (fine on a benchmark machine)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def run_migrations(env: AppEnvironment) -> None:
    """`python -m bot migrate`: `serve` upgrades only SQLite itself; PostgreSQL has a release phase for it."""
    done = subprocess.run(
        [sys.executable, "-m", "bot", "migrate"], cwd=ROOT, env=env.variables(), capture_output=True, text=True
    )
    if done.returncode != 0:
        raise BenchmarkError(f"python -m bot migrate failed ({done.returncode}):\n{done.stderr[-2000:]}")


def start_server(name: str, argv: list[str], env: AppEnvironment, log_dir: Path) -> Server:
    """Start `argv` in its own session, so the benchmark can stop its whole process group if it must."""
    log_path = log_dir / f"{name}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            argv, cwd=ROOT, env=env.variables(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    return Server(name=name, port=int(argv[argv.index("--port") + 1]), process=process, log_path=log_path)


def start_deadline_flag(name: str, env: AppEnvironment, log_dir: Path) -> Server:
    argv = [sys.executable, "-m", "bot", "serve", "--port", str(free_port()), "--host", "127.0.0.1"]
    return start_server(name, argv, env, log_dir)


def start_lazy_listeners(name: str, env: AppEnvironment, log_dir: Path) -> Server:
    argv = [sys.executable, str(ROOT / "benchmarks" / "lazy_listener_app.py"), "--port", str(free_port())]
    return start_server(name, argv, env, log_dir)


def start_bare_bolt(name: str, env: AppEnvironment, log_dir: Path) -> Server:
    argv = [sys.executable, str(ROOT / "benchmarks" / "bare_bolt_app.py"), "--port", str(free_port())]
    return start_server(name, argv, env, log_dir)


def http_status(port: int, method: str, path: str) -> int | None:
    """The status of one request, or None while nothing answers."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request(method, path)
        response = connection.getresponse()
        response.read()
        return response.status
    except (OSError, http.client.HTTPException):
        return None
    finally:
        connection.close()


def wait_until_ready(server: Server, path: str, *, status: int | None, timeout: float = 60.0) -> None:
    """Poll until `path` answers `status` (any answer when None): a worker has booted and serves requests."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise BenchmarkError(f"{server.name} exited with {server.process.returncode}:\n{server.log_tail()}")
        got = http_status(server.port, "GET", path)
        if got is not None and (status is None or got == status):
            return
        time.sleep(0.1)
    raise BenchmarkError(f"{server.name} did not answer GET {path} within {timeout:.0f} s:\n{server.log_tail()}")


def stop_server(server: Server) -> None:
    """SIGTERM lets gunicorn stop its workers gracefully; a master that hangs loses its process group."""
    if server.process.poll() is not None:
        return
    server.process.terminate()
    try:
        server.process.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait()


def _status_field(pid: int, name: str) -> str | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{name}:"):
                return line.split(":", 1)[1].strip()
    except OSError:  # the process ended while we looked
        return None
    return None


def children_of(pid: int) -> list[int]:
    """Direct children, found by their PPid: gunicorn's workers under its master."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and _status_field(int(entry.name), "PPid") == str(pid):
            found.append(int(entry.name))
    return sorted(found)


def rss_kib(pid: int) -> int:
    value = _status_field(pid, "VmRSS")  # "123456 kB"
    return int(value.split()[0]) if value else 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process, all its threads, so far (0 once it has ended)."""
    try:
        # /proc/PID/stat: the command name may hold spaces, so split after its closing parenthesis.
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime (fields 14 and 15)


def server_cpu_seconds(server: Server) -> float:
    """CPU time of the master and its workers: the difference across a batch is what serving it cost."""
    return cpu_seconds(server.process.pid) + sum(cpu_seconds(child) for child in children_of(server.process.pid))


def process_rss(server: Server) -> tuple[int, list[int]]:
    """(master's RSS, each worker's RSS) in KiB."""
    return rss_kib(server.process.pid), [rss_kib(child) for child in children_of(server.process.pid)]
