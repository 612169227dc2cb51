"""Signed slash commands sent the way Slack sends them, from a thread pool, each one timed on its own.

The same client code drives both apps, so any difference in the figures comes from the servers.
"""

from __future__ import annotations

import http.client
import threading
import time
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

COMMAND = "/deadline-flag"
OK = "200"


@dataclass(frozen=True)
class Target:
    """Where one app listens, and what it needs to accept a request."""

    host: str
    port: int
    signing_secret: str
    response_url: str
    path: str = "/slack/events"
    keepalive: bool = True
    timeout: float = 30.0
    # The command's text; "{number}" becomes the request's number. "" sends the empty command, which opens the modal.
    text: str = "feature: benchmark flag {number}"


@dataclass(frozen=True)
class Outcome:
    status: str  # "200", "500", or the exception's name when no answer came
    seconds: float


@dataclass
class LoadResult:
    """What a batch of requests did. Latencies are of the 200s only, so fast failures cannot flatter them."""

    sent: int = 0
    latencies: list[float] = field(default_factory=list)
    failures: Counter[str] = field(default_factory=Counter)
    wall_seconds: float = 0.0
    server_cpu_seconds: float = 0.0  # what the server's processes spent serving these requests (user + system)

    @property
    def errors(self) -> int:
        return sum(self.failures.values())

    def add(self, outcome: Outcome) -> None:
        self.sent += 1
        if outcome.status == OK:
            self.latencies.append(outcome.seconds)
        else:
            self.failures[outcome.status] += 1

    def merge(self, other: LoadResult) -> None:
        self.sent += other.sent
        self.latencies.extend(other.latencies)
        self.failures.update(other.failures)
        self.wall_seconds += other.wall_seconds
        self.server_cpu_seconds += other.server_cpu_seconds


def command_form(number: int, response_url: str, text: str = Target.text) -> str:
    """The form Slack posts for `/deadline-flag <text>`, one distinct user and text per request number."""
    return urlencode(
        {
            "token": "legacy",
            "team_id": "T1",
            "team_domain": "example",
            "channel_id": "C1",
            "channel_name": "general",
            "user_id": f"U{number:07d}",
            "user_name": f"bench{number}",
            "command": COMMAND,
            "text": text.format(number=number),
            "api_app_id": "A1",
            "response_url": response_url,
            "trigger_id": f"{number}.738474920.8088930838d88f008e0",
        }
    )


def signed_headers(body: str, signing_secret: str) -> dict[str, str]:
    """Slack's headers, signed at send time: Bolt refuses timestamps more than five minutes old."""
    timestamp = str(int(time.time()))
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": SignatureVerifier(signing_secret).generate_signature(timestamp=timestamp, body=body),
    }


class _Connections:
    """One keep-alive connection per client thread, all closed when the batch is over."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self._local = threading.local()
        self._opened: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()

    def get(self) -> http.client.HTTPConnection:
        connection: http.client.HTTPConnection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = http.client.HTTPConnection(self.target.host, self.target.port, timeout=self.target.timeout)
            self._local.connection = connection
            with self._lock:
                self._opened.append(connection)
        return connection

    def drop(self) -> None:
        """Forget this thread's connection after a failure or a close, so the next request opens a new one."""
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None

    def close_all(self) -> None:
        with self._lock:
            for connection in self._opened:
                connection.close()
            self._opened.clear()


def send_command(connections: _Connections, number: int) -> Outcome:
    """POST one signed command and read the whole answer; the clock covers only the HTTP round trip."""
    target = connections.target
    body = command_form(number, target.response_url, target.text).encode()
    headers = signed_headers(body.decode(), target.signing_secret)
    if not target.keepalive:
        headers["Connection"] = "close"
    connection = connections.get()
    started = time.perf_counter()
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
    except (OSError, http.client.HTTPException) as error:
        connections.drop()
        return Outcome(type(error).__name__, time.perf_counter() - started)
    elapsed = time.perf_counter() - started
    if response.will_close:
        connections.drop()
    return Outcome(str(response.status), elapsed)


def run_load(target: Target, numbers: Iterable[int], concurrency: int) -> LoadResult:
    """Send one command per number from `concurrency` threads; wall time runs from first send to last answer."""
    connections = _Connections(target)
    result = LoadResult()
    pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="bench-client")
    try:
        started = time.perf_counter()
        for outcome in pool.map(lambda number: send_command(connections, number), numbers):
            result.add(outcome)
        result.wall_seconds = time.perf_counter() - started
    finally:
        # On Ctrl-C, drop the queued requests instead of sending them all before the servers can be stopped.
        pool.shutdown(wait=True, cancel_futures=True)
        connections.close_all()
    return result
