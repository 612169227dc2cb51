"""A real local WebSocket server standing in for Slack's Socket Mode end.

As Slack does: `apps.connections.open` (answered by the fake Web API) hands out this server's `ws://` URL; on each
connection it sends `hello`; it sends envelopes (`slash_commands`, `interactive`, `events_api`) to one connection
each, and keeps the acknowledgement each gets back with its `envelope_id` (and, for commands and view submissions,
the response payload). It can ask a connection to go (`disconnect`, `refresh_requested`) or drop it.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve

ACK_TIMEOUT = 5.0


@dataclass
class FakeSocketMode:
    url: str = ""
    connections: list[ServerConnection] = field(default_factory=list)
    acks: dict[str, dict[str, Any]] = field(default_factory=dict)
    connects: int = 0  # connections ever opened (a reconnect adds one)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    _turn: itertools.count = field(default_factory=lambda: itertools.count())
    _changed: threading.Condition = field(default_factory=threading.Condition)

    def handle(self, connection: ServerConnection) -> None:
        with self._changed:
            self.connections.append(connection)
            self.connects += 1
            self._changed.notify_all()
        connection.send(json.dumps({"type": "hello", "num_connections": len(self.connections), "debug_info": {}}))
        try:
            for message in connection:
                ack = json.loads(message)
                with self._changed:
                    self.acks[ack.get("envelope_id", "")] = ack
                    self._changed.notify_all()
        except ConnectionClosed:
            pass
        finally:
            with self._changed:
                if connection in self.connections:
                    self.connections.remove(connection)
                self._changed.notify_all()

    def wait_connected(self, count: int = 1, timeout: float = 10.0) -> None:
        self._wait(lambda: len(self.connections) >= count, timeout, f"{count} connection(s)")

    def wait_disconnected(self, timeout: float = 10.0) -> None:
        self._wait(lambda: not self.connections, timeout, "every connection to close")

    def send(
        self, envelope_type: str, payload: dict[str, Any], *, retry_attempt: int = 0, envelope_id: str | None = None
    ) -> str:
        """Deliver an envelope to one open connection (in turn, as Slack spreads them), return its envelope_id."""
        envelope_id = envelope_id or f"env-{next(self._ids)}"
        envelope = {
            "envelope_id": envelope_id,
            "type": envelope_type,
            "payload": payload,
            "accepts_response_payload": envelope_type != "events_api",
            "retry_attempt": retry_attempt,
            "retry_reason": "timeout" if retry_attempt else "",
        }
        self.wait_connected()
        with self._changed:
            connection = self.connections[next(self._turn) % len(self.connections)]
        connection.send(json.dumps(envelope))
        return envelope_id

    def ack_of(self, envelope_id: str, timeout: float = ACK_TIMEOUT) -> dict[str, Any]:
        """The acknowledgement of an envelope, once it comes (Slack wants it within 3 seconds)."""
        self._wait(lambda: envelope_id in self.acks, timeout, f"the ack of {envelope_id}")
        return self.acks[envelope_id]

    def ask_to_reconnect(self) -> None:
        """Slack's periodic "please reconnect": a disconnect message, then the socket is closed a moment later."""
        with self._changed:  # no envelope goes to a connection on its way out
            connections, self.connections[:] = list(self.connections), []
        for connection in connections:
            connection.send(json.dumps({"type": "disconnect", "reason": "refresh_requested", "debug_info": {}}))
        time.sleep(0.2)
        for connection in connections:
            with contextlib.suppress(ConnectionClosed):  # the client went first, without a close frame
                connection.close()

    def _wait(self, done: Any, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        with self._changed:
            while not done():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"Socket Mode stand-in: waited {timeout} s for {what}")
                self._changed.wait(remaining)


def start_fake_socket_mode() -> tuple[FakeSocketMode, Server]:
    fake = FakeSocketMode()
    server = serve(fake.handle, "127.0.0.1", 0)
    fake.url = f"ws://127.0.0.1:{server.socket.getsockname()[1]}/link/?ticket=test"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return fake, server
