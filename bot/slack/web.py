"""The WSGI application: Bolt's handler for Slack's requests, plus /healthz. Gunicorn serves it."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import Engine

from bot.db.session import is_database_up

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

SLACK_EVENTS_PATH = "/slack/events"
# OAuth mode only: Bolt's OAuthFlow answers these GETs (the paths are passed to OAuthSettings in bot.slack.oauth).
INSTALL_PATH = "/slack/install"
OAUTH_REDIRECT_PATH = "/slack/oauth_redirect"
HEALTH_PATH = "/healthz"
# Slack's largest payloads (a modal's full state, a message with 50 blocks) stay well under 1 MiB.
MAX_BODY_BYTES = 2 * 1024 * 1024
_TIMESTAMP = re.compile(r"[0-9]{1,12}")  # Unix seconds; anything else cannot be within Slack's 5 minutes

log = logging.getLogger(__name__)
WsgiApp = Callable[["WSGIEnvironment", "StartResponse"], Iterable[bytes]]


def create_wsgi_app(app: App, engine: Engine, *, signing_secret: str) -> WsgiApp:
    slack_handler = SlackRequestHandler(app, path=SLACK_EVENTS_PATH)
    verifier = SignatureVerifier(signing_secret)

    def application(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO"), environ.get("REQUEST_METHOD")
        if path == HEALTH_PATH and method in ("GET", "HEAD"):
            if is_database_up(engine):
                return _plain(start_response, "200 OK", "ok")
            return _plain(start_response, "503 Service Unavailable", "database unavailable")
        if path == SLACK_EVENTS_PATH and method == "POST":
            # Bolt reads and parses the whole body before it checks the signature: a stranger's 30 MB would be
            # decoded and parsed first. Here the size is capped and the signature checked on the raw bytes.
            body = _read_capped(environ)
            if body is None:
                log.warning("oversized request refused", extra={"content_length": environ.get("CONTENT_LENGTH")})
                return _plain(start_response, "413 Content Too Large", "request too large")
            if not _is_signed(verifier, environ, body):
                log.info("unsigned request refused", extra={"bytes": len(body)})
                return _plain(start_response, "401 Unauthorized", "invalid request")
            environ["wsgi.input"] = io.BytesIO(body)  # Bolt reads it again, from memory
            environ["CONTENT_LENGTH"] = str(len(body))
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


def _read_capped(environ: WSGIEnvironment) -> bytes | None:
    """The request body, or None when it is larger than MAX_BODY_BYTES (refused on its Content-Length, unread:
    gunicorn drains or closes what is left before the connection's next request)."""
    stream = environ["wsgi.input"]
    declared = environ.get("CONTENT_LENGTH")
    if not declared:
        if "chunked" not in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
            return b""
        body = stream.read(MAX_BODY_BYTES + 1)  # one byte past the cap tells a body that passed it
        return body if len(body) <= MAX_BODY_BYTES else None
    try:
        size = int(declared)
    except ValueError:
        return b""
    return stream.read(size) if 0 <= size <= MAX_BODY_BYTES else None


def _is_signed(verifier: SignatureVerifier, environ: WSGIEnvironment, body: bytes) -> bool:
    timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP")
    signature = environ.get("HTTP_X_SLACK_SIGNATURE")
    if not timestamp or not signature or not _TIMESTAMP.fullmatch(timestamp):
        return False  # slack_sdk's int(timestamp) would raise on "abc"
    return verifier.is_valid(body=body, timestamp=timestamp, signature=signature)


def _plain(start_response: StartResponse, status: str, text: str) -> list[bytes]:
    body = text.encode()
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))])
    return [body]


def is_slack_response_url(url: str, *, api_url: str) -> bool:
    """True for https on slack.com or one of its subdomains (hooks.slack.com), or the scheme and host of the Web
    API the app is configured to call (SLACK_API_URL: a proxy, or the tests' stand-in)."""
    try:
        parts, api = urlsplit(url), urlsplit(api_url)
        port = parts.port
    except ValueError:  # a port that is not a number
        return False
    if parts.username is not None or parts.password is not None:
        return False
    host = (parts.hostname or "").lower()
    if parts.scheme == "https" and port in (None, 443) and (host == "slack.com" or host.endswith(".slack.com")):
        return True
    return bool(host) and (parts.scheme, host) == (api.scheme, (api.hostname or "").lower())
