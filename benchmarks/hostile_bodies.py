"""Unsigned bodies of any size: how long `python -m bot serve` takes to refuse them, and what they cost in memory.

Starts the app as a real gunicorn subprocess (SQLite, one worker), then POSTs unsigned bodies to /slack/events: one
of 30 MB, three of 10 MB, and one with a malformed X-Slack-Request-Timestamp. Prints each answer's status and time
and the worker's resident memory before and after. Never asserts.

    .venv/bin/python benchmarks/hostile_bodies.py
"""

from __future__ import annotations

import contextlib
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

# `benchmarks`, `bot` and `tests` import as packages.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from benchmarks.servers import (  # noqa: E402
    AppEnvironment,
    children_of,
    rss_kib,
    run_migrations,
    start_deadline_flag,
    stop_server,
    wait_until_ready,
)
from tests.fake_slack_api import start_fake_slack_api  # noqa: E402

MIB = 1024 * 1024


def post_unsigned(port: int, size: int, timestamp: str = "1700000000") -> tuple[str, float]:
    """POST `size` bytes of form body, sent whole (as a stranger would) unless the server answers first."""
    head = (
        "POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        f"X-Slack-Request-Timestamp: {timestamp}\r\nX-Slack-Signature: v0={'0' * 64}\r\n"
        f"Content-Length: {size}\r\nConnection: close\r\n\r\n"
    ).encode()
    body = b"text=" + b"x" * (size - 5)
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:

        def send() -> None:
            with contextlib.suppress(OSError):  # the server answered and closed before taking it all
                sock.sendall(head + body)

        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        answer = b""
        try:
            while b"\r\n" not in answer:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                answer += chunk
        except OSError as error:
            return f"no answer ({type(error).__name__})", time.monotonic() - started
        elapsed = time.monotonic() - started
    status = answer.split(b"\r\n", 1)[0].decode(errors="replace") or "connection closed"
    return status, elapsed


def worker_rss_mib(pid: int) -> float:
    return sum(rss_kib(child) for child in children_of(pid)) / 1024


def main() -> int:
    fake, fake_server = start_fake_slack_api()
    with tempfile.TemporaryDirectory() as scratch:
        env = AppEnvironment(
            signing_secret="bench-signing-secret",
            api_url=fake.api_url,
            database_url=f"sqlite:///{scratch}/bodies.db",
            reporter_key="bench-reporter-key",
            web_concurrency=1,
            web_threads=2,
        )
        run_migrations(env)
        server = start_deadline_flag("deadline-flag", env, Path(scratch))
        try:
            wait_until_ready(server, "/healthz", status=200)
            print(f"worker RSS at start: {worker_rss_mib(server.process.pid):.0f} MiB")
            status, elapsed = post_unsigned(server.port, 30 * MIB)
            print(f"30 MB unsigned: {status!r} in {elapsed:.2f} s; worker RSS {worker_rss_mib(server.process.pid):.0f} MiB")
            for number in range(1, 4):
                status, elapsed = post_unsigned(server.port, 10 * MIB)
                rss = worker_rss_mib(server.process.pid)
                print(f"10 MB unsigned #{number}: {status!r} in {elapsed:.2f} s; worker RSS {rss:.0f} MiB")
            for timestamp in ("abc", "1" * 400):
                status, elapsed = post_unsigned(server.port, 200, timestamp=timestamp)
                print(f"timestamp {timestamp[:8]!r}{'...' if len(timestamp) > 8 else ''}: {status!r} in {elapsed:.3f} s")
        finally:
            stop_server(server)
            fake_server.shutdown()
        log = (Path(scratch) / "deadline-flag.log").read_text(errors="replace")
        print(f"server log: {log.count('Traceback')} tracebacks, {log.count('unsigned request refused')} refusal lines")
    return 0


if __name__ == "__main__":
    sys.exit(main())
