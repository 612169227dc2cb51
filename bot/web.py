"""The WSGI application: Bolt's handler for Slack's requests, plus /healthz. Gunicorn serves it."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy import Engine

from bot.db.session import is_database_up

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

SLACK_EVENTS_PATH = "/slack/events"
# OAuth mode only: Bolt's OAuthFlow answers these GETs (the paths are passed to OAuthSettings in bot.oauth).
INSTALL_PATH = "/slack/install"
OAUTH_REDIRECT_PATH = "/slack/oauth_redirect"
HEALTH_PATH = "/healthz"

log = logging.getLogger(__name__)
WsgiApp = Callable[["WSGIEnvironment", "StartResponse"], Iterable[bytes]]


def create_wsgi_app(app: App, engine: Engine) -> WsgiApp:
    slack_handler = SlackRequestHandler(app, path=SLACK_EVENTS_PATH)

    def application(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            if is_database_up(engine):
                return _plain(start_response, "200 OK", "ok")
            return _plain(start_response, "503 Service Unavailable", "database unavailable")
        started = False

        def tracking_start_response(*args, **kwargs):  # type: ignore[no-untyped-def]
            nonlocal started
            started = True
            return start_response(*args, **kwargs)

        try:
            return slack_handler(environ, tracking_start_response)
        except Exception:
            # Bolt parses the body before it can route it: a body that is not the JSON or form it claims
            # to be raises there. That is the sender's fault, so 400, never 500.
            if started:
                raise
            log.warning("unparseable request refused", extra={"path": environ.get("PATH_INFO")}, exc_info=True)
            return _plain(start_response, "400 Bad Request", "bad request")

    return application


def _plain(start_response: StartResponse, status: str, text: str) -> list[bytes]:
    body = text.encode()
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))])
    return [body]
