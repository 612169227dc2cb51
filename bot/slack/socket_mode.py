"""Socket Mode: the app opens a WebSocket to Slack (SLACK_APP_TOKEN) and takes its requests over it, so it needs no
public HTTP endpoint. The same Bolt app and listeners as over HTTP; slack-bolt's adapter on slack_sdk's built-in
WebSocket client, which reconnects by itself when Slack asks it to (`disconnect`, `refresh_requested`) or the
connection drops. The port still answers GET /healthz, for the platform's health checks.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from slack_bolt.adapter.socket_mode import SocketModeHandler
from sqlalchemy import Engine

from bot.config import Config
from bot.db.session import create_db_engine, create_session_factory, is_database_up
from bot.slack.app import create_app
from bot.slack.web import HEALTH_PATH

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

log = logging.getLogger(__name__)


def socket_mode_handler(config: Config, engine: Engine) -> SocketModeHandler:
    """The Bolt app behind slack-bolt's Socket Mode adapter; `connect()` opens the socket."""
    assert config.app_token, "Socket Mode needs SLACK_APP_TOKEN"
    app = create_app(config, create_session_factory(engine))
    return SocketModeHandler(app, app_token=config.app_token, logger=logging.getLogger("slack_bolt.socket_mode"))


def health_app(handler: SocketModeHandler, engine: Engine):  # type: ignore[no-untyped-def]
    """GET /healthz: 200 only while the database answers and the socket to Slack is connected."""

    def application(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != HEALTH_PATH or environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return _plain(start_response, "404 Not Found", "not found")
        if not handler.client.is_connected():
            return _plain(start_response, "503 Service Unavailable", "not connected to Slack")
        if not is_database_up(engine):
            return _plain(start_response, "503 Service Unavailable", "database unavailable")
        return _plain(start_response, "200 OK", "ok")

    return application


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # health checks every few seconds: not worth a line
        pass


def serve_socket_mode(config: Config, *, host: str = "0.0.0.0") -> None:
    """Connect to Slack over Socket Mode and serve /healthz on the port, until SIGTERM or SIGINT."""
    engine = create_db_engine(config.database_url, serving=True)  # every wait bounded, as over HTTP
    handler = socket_mode_handler(config, engine)
    health: WSGIServer = make_server(host, config.port, health_app(handler, engine), handler_class=_QuietHandler)
    stopped = threading.Event()

    def stop(signum: int, _frame: object) -> None:
        log.info("stopping", extra={"signal": signal.Signals(signum).name})
        stopped.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    threading.Thread(target=health.serve_forever, kwargs={"poll_interval": 0.5}, daemon=True).start()
    handler.connect()
    log.info("connected to Slack over Socket Mode", extra={"port": config.port})
    stopped.wait()
    handler.close()  # no new envelopes; the handler's workers finish what they hold
    health.shutdown()
    engine.dispose()


def _plain(start_response: StartResponse, status: str, text: str) -> list[bytes]:
    body = text.encode()
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))])
    return [body]
