"""Socket Mode against HTTP: the latency of inline /deadline-flag commands sent one at a time to `python -m bot serve`
over HTTP (signed POSTs) and over Socket Mode (envelopes through a local WebSocket server standing in for Slack's,
answered by their acks), beside a bare slack-bolt app over Socket Mode, in the same run. Prints; asserts nothing.

    .venv/bin/python benchmarks/socket_mode.py [--requests 200]
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from urllib.parse import parse_qsl

sys.path[0] = str(Path(__file__).resolve().parent.parent)

from benchmarks.load import command_form, signed_headers  # noqa: E402
from benchmarks.servers import (  # noqa: E402
    ROOT,
    AppEnvironment,
    free_port,
    server_cpu_seconds,
    start_server,
    stop_server,
    wait_until_ready,
)
from tests.fake_slack_api import start_fake_slack_api  # noqa: E402
from tests.fake_socket_mode import start_fake_socket_mode  # noqa: E402

BARE_BOLT = ROOT / "benchmarks" / "bare_bolt_app.py"
SIGNING_SECRET = "bench-signing-secret"
APP_TOKEN = "xapp-1-bench"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


WARMUP = 20


def timed(send: Callable[[int], None], requests: int, warmup: int = WARMUP) -> list[float]:
    for number in range(warmup):
        send(number)
    samples = []
    for number in range(warmup, warmup + requests):
        started = time.perf_counter()
        send(number)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks/socket_mode.py", description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="measured commands per app (default: 200)")
    args = parser.parse_args(argv)
    fake_api, api_server = start_fake_slack_api()
    socket_mode, socket_server = start_fake_socket_mode()
    fake_api.socket_mode_url = socket_mode.url
    results: dict[str, list[float]] = {}
    cpu_ms: dict[str, float] = {}  # the server's CPU per envelope (warm-up included)
    with tempfile.TemporaryDirectory() as scratch:
        log_dir = Path(scratch)
        env = AppEnvironment(
            signing_secret=SIGNING_SECRET,
            api_url=fake_api.api_url,
            database_url=f"sqlite:///{log_dir / 'bench.db'}",
            reporter_key="bench-reporter-key",
            web_concurrency=1,
            web_threads=2,
            bot_token="xoxb-T1-bench",
        )
        socket_env = replace(env, app_token=APP_TOKEN)

        def send_envelope(number: int) -> None:
            payload = dict(parse_qsl(command_form(number, fake_api.response_url())))
            socket_mode.ack_of(socket_mode.send("slash_commands", payload), timeout=10)

        bare = [sys.executable, str(BARE_BOLT), "--port", "0", "--socket-mode", "--socket-client"]
        for name, argv in (
            ("deadline-flag, Socket Mode", [sys.executable, "-m", "bot", "serve", "--port", str(free_port())]),
            ("bare bolt, Socket Mode", [*bare, "builtin"]),
            ("bare bolt, websocket-client", [*bare, "websocket-client"]),
        ):
            server = start_server(name.replace(", ", "-").replace(" ", "-"), argv, socket_env, log_dir)
            try:
                socket_mode.wait_connected(timeout=60)
                cpu_before = server_cpu_seconds(server)
                results[name] = timed(send_envelope, args.requests)
                cpu_ms[name] = (server_cpu_seconds(server) - cpu_before) * 1000 / (args.requests + WARMUP)
            finally:
                stop_server(server)
                socket_mode.wait_disconnected()

        server = start_server(
            "deadline-flag-http",
            [sys.executable, "-m", "bot", "serve", "--port", str(free_port()), "--host", "127.0.0.1"],
            env,
            log_dir,
        )
        try:
            wait_until_ready(server, "/healthz", status=200)
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)

            def send_post(number: int) -> None:
                body = command_form(number, fake_api.response_url())
                connection.request("POST", "/slack/events", body=body, headers=signed_headers(body, SIGNING_SECRET))
                connection.getresponse().read()

            cpu_before = server_cpu_seconds(server)
            results["deadline-flag, HTTP"] = timed(send_post, args.requests)
            cpu_ms["deadline-flag, HTTP"] = (server_cpu_seconds(server) - cpu_before) * 1000 / (args.requests + WARMUP)
        finally:
            stop_server(server)
    socket_server.shutdown()
    api_server.shutdown()
    print(f"{args.requests} inline /deadline-flag commands, one at a time (SQLite, 1 worker, 2 threads); ms")
    print(f"{'app, transport':<30} {'p50':>7} {'p95':>7} {'p99':>7} {'CPU/req':>8}")
    for name, samples in results.items():
        p50, p95, p99 = statistics.median(samples), percentile(samples, 0.95), percentile(samples, 0.99)
        print(f"{name:<30} {p50:>7.1f} {p95:>7.1f} {p99:>7.1f} {cpu_ms[name]:>8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
