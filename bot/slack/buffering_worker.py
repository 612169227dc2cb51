"""gunicorn's gthread worker, with each request read whole by the worker's event loop before a thread takes it.

gthread hands a connection to one of its few threads as soon as the first byte arrives, and that thread then waits,
blocking, for the rest: two clients dripping a byte a second held both threads of a worker, and every command Slack
sent timed out (gunicorn's timeout never fires, since the worker itself stays alive). Here the event loop, which waits
on every socket at once, buffers a request until its headers and Content-Length body are in, within READ_DEADLINE;
only then does a thread parse it from memory. A slow client costs a socket and its bytes, never a thread. This is
what a buffering proxy (nginx's proxy_request_buffering) does in front of a server, done in the worker so that a
deployment with no proxy in front is safe too.
"""

from __future__ import annotations

import contextlib
import re
import selectors
import socket
import time
from functools import partial
from typing import Any

from gunicorn.workers.gthread import ThreadWorker

from bot.slack.web import MAX_BODY_BYTES

READ_DEADLINE_SECONDS = 10.0  # Slack sends a whole request in milliseconds; a client still sending after this is cut off
MAX_HEADER_BYTES = 64 * 1024  # past this without the end of the headers, gunicorn's own limits refuse the request
_CONTENT_LENGTH = re.compile(rb"\r\ncontent-length[ \t]*:[ \t]*([0-9]{1,12})[ \t]*(?=\r\n|$)")


class _Buffered:
    """The client's socket, serving first the bytes the event loop already read (gunicorn's parser calls recv)."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.pending = bytearray()

    def recv(self, size: int, *args: Any) -> bytes:
        if self.pending:
            chunk = bytes(self.pending[:size])
            del self.pending[:size]
            return chunk
        return self.sock.recv(size, *args)

    def __getattr__(self, name: str) -> Any:  # sendall, fileno, setblocking, close...: the real socket's
        return getattr(self.sock, name)


def is_whole_request(data: bytes | bytearray) -> bool:
    """True once `data` holds a request's headers and all of its Content-Length body, or once waiting for more
    would be pointless: headers too long, a body the app refuses unread (over MAX_BODY_BYTES), or chunked."""
    end = data.find(b"\r\n\r\n")
    if end < 0:
        return len(data) > MAX_HEADER_BYTES
    headers = bytes(data[:end]).lower()
    if b"\r\ntransfer-encoding" in headers:
        return True  # Slack sends a Content-Length; gunicorn reads a chunked body itself
    match = _CONTENT_LENGTH.search(headers)
    length = int(match.group(1)) if match else 0
    return length > MAX_BODY_BYTES or len(data) >= end + 4 + length


class BufferingThreadWorker(ThreadWorker):  # type: ignore[misc]
    def init_process(self) -> None:
        self.buffering: dict[Any, float] = {}  # connection -> read deadline
        super().init_process()

    def enqueue_req(self, conn: Any) -> None:
        if conn.parser is not None and conn.parser.unreader.buf.getvalue():
            super().enqueue_req(conn)  # the previous request's drain read ahead: the next one is in memory already
            return
        if not isinstance(conn.sock, _Buffered):
            conn.sock = _Buffered(conn.sock)  # before conn.init(), so the parser reads through it from then on
        conn.sock.setblocking(False)
        # Usually the whole request has arrived already (the socket was readable, or just accepted): no poller round.
        if not is_whole_request(conn.sock.pending) and not self._read(conn):
            return  # the client went away
        if is_whole_request(conn.sock.pending):
            self._hand_over(conn)
            return
        self.buffering[conn] = time.monotonic() + READ_DEADLINE_SECONDS
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._on_readable, conn))

    def _on_readable(self, conn: Any, _fileobj: Any) -> None:
        if self._read(conn) and is_whole_request(conn.sock.pending):
            self.poller.unregister(conn.sock)
            del self.buffering[conn]
            self._hand_over(conn)

    def _read(self, conn: Any) -> bool:
        """Take what has arrived; False (and the connection dropped) once the client has gone."""
        try:
            data = conn.sock.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return True
        except OSError:
            data = b""
        if not data:
            self._drop(conn)
            return False
        conn.sock.pending += data
        return True

    def _hand_over(self, conn: Any) -> None:
        conn.data_ready = True  # gthread's thread would otherwise wait for data it already has
        super().enqueue_req(conn)

    def _drop(self, conn: Any) -> None:
        with contextlib.suppress(KeyError, ValueError, OSError):  # already unregistered
            self.poller.unregister(conn.sock)
        self.buffering.pop(conn, None)
        self.nr_conns -= 1
        conn.close()

    def murder_pending(self) -> None:
        """gthread's sweep of idle connections, and of requests still not whole past READ_DEADLINE_SECONDS."""
        super().murder_pending()
        now = time.monotonic()
        for conn in [conn for conn, deadline in self.buffering.items() if deadline <= now]:
            self._drop(conn)
