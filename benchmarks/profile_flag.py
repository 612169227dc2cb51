"""Where does a stored flag's CPU go? cProfile over signed inline commands sent straight into the WSGI app.

No HTTP server and no load generator in the process, so what it shows is the app's own cost per flag: Bolt's
dispatch, our middleware and listener, SQLAlchemy, the receipt. Prints the top entries by own time and by
cumulative time, and the CPU per flag without the profiler beside Bolt's bare ack-only app on the same path.

    .venv/bin/python benchmarks/profile_flag.py                     # SQLite, 2,000 flags
    .venv/bin/python benchmarks/profile_flag.py --database postgresql --flags 5000
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)

from slack_bolt.adapter.wsgi import SlackRequestHandler  # noqa: E402

from benchmarks.bare_bolt_app import create_bare_app  # noqa: E402
from benchmarks.databases import POSTGRES_ADMIN_URL_DEFAULT, postgresql_backend, sqlite_backend  # noqa: E402
from benchmarks.load import Target, command_form, signed_headers  # noqa: E402
from bot.config import Config  # noqa: E402
from bot.db.migrate import upgrade_to_head  # noqa: E402
from bot.slack.server import build_wsgi_app  # noqa: E402
from bot.slack.web import SLACK_EVENTS_PATH  # noqa: E402
from tests.fake_slack_api import start_fake_slack_api  # noqa: E402

SIGNING_SECRET = "profile-signing-secret"
WsgiApp = Callable[[dict, Callable[..., object]], Iterable[bytes]]


def environ_for(number: int, response_url: str) -> dict:
    body = command_form(number, response_url, Target.text).encode()
    headers = signed_headers(body.decode(), SIGNING_SECRET)
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": SLACK_EVENTS_PATH,
        "QUERY_STRING": "",
        "CONTENT_TYPE": headers["Content-Type"],
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_X_SLACK_REQUEST_TIMESTAMP": headers["X-Slack-Request-Timestamp"],
        "HTTP_X_SLACK_SIGNATURE": headers["X-Slack-Signature"],
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "3000",
        "SERVER_PROTOCOL": "HTTP/1.1",
    }


def send(app: WsgiApp, numbers: range, response_url: str) -> None:
    statuses: list[str] = []

    def start_response(status: str, headers: list, exc_info: object = None) -> None:
        statuses.append(status)

    for number in numbers:
        b"".join(app(environ_for(number, response_url), start_response))
    refused = [status for status in statuses if not status.startswith("200")]
    if refused:
        raise SystemExit(f"{len(refused)} requests were refused, e.g. {refused[0]}")


def cpu_ms_per_request(app: WsgiApp, numbers: range, response_url: str) -> float:
    started = time.process_time()
    send(app, numbers, response_url)
    return (time.process_time() - started) * 1000 / len(numbers)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flags", type=int, default=2000, help="profiled flags (default: 2000)")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--postgres-url", default=POSTGRES_ADMIN_URL_DEFAULT)
    parser.add_argument("--top", type=int, default=25, help="entries per table (default: 25)")
    parser.add_argument(
        "--timer",
        choices=("wall", "cpu"),
        default="wall",
        help="what the profile counts: wall time (default; SQLite's fsync at commit shows) or this process's CPU time",
    )
    args = parser.parse_args(argv)
    fake, server = start_fake_slack_api()
    with tempfile.TemporaryDirectory() as scratch:
        backend_cm = sqlite_backend(Path(scratch)) if args.database == "sqlite" else postgresql_backend(args.postgres_url)
        with backend_cm as backend:
            upgrade_to_head(backend.url)
            config = Config(
                signing_secret=SIGNING_SECRET,
                bot_token="xoxb-profile",
                slack_api_url=fake.api_url,
                database_url=backend.url,
                reporter_key="profile-reporter-key",
            )
            app = build_wsgi_app(config)
            bare = SlackRequestHandler(create_bare_app(config), path=SLACK_EVENTS_PATH)
            response_url = fake.response_url()
            n = args.flags
            send(app, range(1, 201), response_url)  # warm: imports, connection pool, statement caches
            send(bare, range(1, 201), response_url)
            ours = cpu_ms_per_request(app, range(1_000, 1_000 + n), response_url)
            theirs = cpu_ms_per_request(bare, range(1_000, 1_000 + n), response_url)
            profiler = cProfile.Profile(time.process_time) if args.timer == "cpu" else cProfile.Profile()
            profiler.enable()
            send(app, range(100_000, 100_000 + n), response_url)
            profiler.disable()
    server.shutdown()
    print(f"{args.database}: CPU per request, no profiler, {n} each: deadline-flag {ours:.3f} ms (a stored flag), ")
    print(f"  bare Bolt ack-only {theirs:.3f} ms; ratio {ours / theirs:.2f}x (in-process WSGI, no HTTP server)")
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order).print_stats(args.top)
        title = f"--- top {args.top} by {order}, {n} flags under cProfile ({args.timer} time)"
        print(f"\n{title}\n" + out.getvalue().split("\n\n", 2)[-1])
    return 0


if __name__ == "__main__":
    sys.exit(main())
