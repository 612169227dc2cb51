"""Slow clients: does `python -m bot serve` keep answering Slack while strangers hold connections open?

Starts the app as a real gunicorn subprocess (its defaults, SQLite unless --database-url), opens N connections that
each drip a request one byte a second and never finish it, then sends one signed slash command every half second and
times each answer. Prints how many came back within Slack's 3 seconds. Never asserts.

    .venv/bin/python benchmarks/slow_clients.py --drippers 20 --seconds 20
"""

from __future__ import annotations

import argparse
import http.client
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

# `benchmarks`, `bot` and `tests` import as packages.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from benchmarks.load import command_form, signed_headers  # noqa: E402
from benchmarks.servers import (  # noqa: E402
    AppEnvironment,
    run_migrations,
    start_deadline_flag,
    stop_server,
    wait_until_ready,
)
from tests.fake_slack_api import start_fake_slack_api  # noqa: E402

SIGNING_SECRET = "bench-signing-secret"
SLACK_LIMIT = 3.0
DRIP = b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nX-Padding: "


def drip(port: int, stop: threading.Event, opened: list[int]) -> None:
    """One stranger: connect, then send a byte a second, reconnecting whenever the server hangs up."""
    while not stop.is_set():
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
                opened[0] += 1
                sent = 0
                while not stop.is_set():
                    sock.sendall(DRIP[sent : sent + 1] if sent < len(DRIP) else b"a")
                    sent += 1
                    stop.wait(1.0)
        except OSError:
            stop.wait(0.2)


def timed_command(port: int, number: int) -> float | None:
    """Seconds to the answer of one signed command (a new connection, as Slack opens), None if none within 10 s."""
    body = command_form(number, "http://127.0.0.1:9/unused")
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    started = time.monotonic()
    try:
        connection.request("POST", "/slack/events", body=body, headers=signed_headers(body, SIGNING_SECRET))
        response = connection.getresponse()
        response.read()
        return time.monotonic() - started if response.status == 200 else None
    except (OSError, http.client.HTTPException):
        return None
    finally:
        connection.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--drippers", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20.0, help="how long commands are sent for")
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("--web-concurrency", type=int, help="default: the app's own (1 on SQLite, 2 otherwise)")
    parser.add_argument("--web-threads", type=int, default=2)
    args = parser.parse_args()

    fake, fake_server = start_fake_slack_api()
    with tempfile.TemporaryDirectory() as scratch:
        database_url = args.database_url or f"sqlite:///{scratch}/slow.db"
        workers = args.web_concurrency or (1 if database_url.startswith("sqlite") else 2)
        env = AppEnvironment(
            signing_secret=SIGNING_SECRET,
            api_url=fake.api_url,
            database_url=database_url,
            reporter_key="bench-reporter-key",
            web_concurrency=workers,
            web_threads=args.web_threads,
        )
        run_migrations(env)
        server = start_deadline_flag("deadline-flag", env, Path(scratch))
        stop = threading.Event()
        try:
            wait_until_ready(server, "/healthz", status=200)
            opened = [0]
            for _ in range(args.drippers):
                threading.Thread(target=drip, args=(server.port, stop, opened), daemon=True).start()
            time.sleep(3)  # every dripper connected and sending
            latencies: list[float | None] = []
            deadline = time.monotonic() + args.seconds
            number = 0
            while time.monotonic() < deadline:
                number += 1
                latencies.append(timed_command(server.port, number))
                time.sleep(0.5)
        finally:
            stop.set()
            stop_server(server)
            fake_server.shutdown()

    answered = [latency for latency in latencies if latency is not None]
    in_time = [latency for latency in answered if latency < SLACK_LIMIT]
    print(
        f"drippers={args.drippers} workers={workers} threads={args.web_threads} connections opened by drippers={opened[0]}"
    )
    print(f"commands sent={len(latencies)} answered={len(answered)} within {SLACK_LIMIT:.0f} s={len(in_time)}")
    if answered:
        print(
            f"latency s: p50={statistics.median(answered):.3f} max={max(answered):.3f} mean={statistics.fmean(answered):.3f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
