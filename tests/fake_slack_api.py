"""A real HTTP server standing in for the Slack Web API (and for response_url), in the manner of Bolt's own tests.

It answers like Slack (canned bodies per method, `invalid_auth` without a bot token), keeps every call with its
headers and parsed body, and can be told to be slow or to fail. Nothing here ever reaches slack.com.
"""

from __future__ import annotations

import base64
import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

Reply = dict[str, Any] | Callable[["Call"], dict[str, Any]]
# Methods Slack serves without a bot token in the Authorization header.
NO_BOT_TOKEN_METHODS = {"oauth.v2.access", "oauth.v2.exchange"}
BOT_USER_ID = "UBOT"
OAUTH_CLIENT_ID = "111.222"
OAUTH_CLIENT_SECRET = "test-client-secret"


@dataclass
class Call:
    method: str  # "chat.postMessage", or the path for calls outside /api/ (response_url)
    headers: dict[str, str]
    body: dict[str, Any]
    base_url: str = ""
    raw: bytes = b""

    @property
    def token(self) -> str | None:
        auth = self.headers.get("authorization", "")
        return auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else self.body.get("token")


@dataclass
class Failure:
    status: int
    body: dict[str, Any]
    headers: dict[str, str]
    times: int


@dataclass
class FakeSlackApi:
    url: str = ""
    calls: list[Call] = field(default_factory=list)
    replies: dict[str, Reply] = field(default_factory=dict)
    delays: dict[str, float] = field(default_factory=dict)
    failures: dict[str, Failure] = field(default_factory=dict)
    holds: dict[str, threading.Event] = field(default_factory=dict)
    team_id: str = "T1"
    _changed: threading.Condition = field(default_factory=threading.Condition)

    @property
    def api_url(self) -> str:
        """What SLACK_API_URL should be: slack_sdk joins method names onto it."""
        return f"{self.url}/api/"

    def response_url(self, name: str = "hooks/1") -> str:
        return f"{self.url}/{name}"

    def fail(self, method: str, *, status: int = 200, times: int = 1, headers: dict[str, str] | None = None, **body: Any):
        """Answer the next `times` calls of `method` with `status` and `body` (default: {"ok": false})."""
        self.failures[method] = Failure(status, {"ok": False, **body}, headers or {}, times)

    def hold(self, method: str) -> threading.Event:
        """Make calls to `method` wait until the returned event is set (a Web API as slow as the test likes)."""
        self.holds[method] = threading.Event()
        return self.holds[method]

    def calls_to(self, method: str) -> list[Call]:
        with self._changed:
            return [call for call in self.calls if call.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """The calls to `method`, once there are at least `count` of them; fails the test after `timeout`."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(found := [c for c in self.calls if c.method == method]) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [c.method for c in self.calls]
                    raise AssertionError(f"expected {count} call(s) to {method}, got {len(found)}; calls: {seen}")
                self._changed.wait(remaining)
            return found

    def record(self, call: Call) -> None:
        with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    def answer(self, call: Call) -> tuple[int, dict[str, str], dict[str, Any]]:
        failure = self.failures.get(call.method)
        if failure and failure.times > 0:
            failure.times -= 1
            return failure.status, failure.headers, failure.body
        if call.method not in NO_BOT_TOKEN_METHODS and "/" not in call.method:
            token = call.token or ""
            if not token.startswith(("xoxb-", "xoxp-")):
                return 200, {}, {"ok": False, "error": "not_authed" if not token else "invalid_auth"}
        reply = self.replies.get(call.method) or DEFAULT_REPLIES.get(call.method) or {"ok": True}
        return 200, {}, reply(call) if callable(reply) else reply


def team_of_token(token: str | None) -> str:
    """Tokens the fake hands out name their workspace ("xoxb-T2-..."); any other bot token is T1's."""
    parts = (token or "").split("-")
    return parts[1] if len(parts) > 2 and parts[1].startswith("T") else "T1"


def _auth_test(call: Call) -> dict[str, Any]:
    return {
        "ok": True,
        "url": "https://example.slack.com/",
        "team": "Example",
        "user": "deadline-flag",
        "team_id": team_of_token(call.token),
        "user_id": BOT_USER_ID,
        "bot_id": "BBOT",
        "is_enterprise_install": False,
    }


_view_ids = itertools.count(1)


def _view(call: Call) -> dict[str, Any]:
    view = call.body.get("view")
    view = json.loads(view) if isinstance(view, str) else (view or {})
    return {"ok": True, "view": {"id": f"V{next(_view_ids):05d}", "hash": "h1", **view}}


def _permalink(call: Call) -> dict[str, Any]:
    channel, ts = call.body.get("channel", ""), str(call.body.get("message_ts", ""))
    return {
        "ok": True,
        "channel": channel,
        "permalink": f"https://example.slack.com/archives/{channel}/p{ts.replace('.', '')}",
    }


def _post_message(call: Call) -> dict[str, Any]:
    return {
        "ok": True,
        "channel": call.body.get("channel"),
        "ts": f"{time.time():.6f}",
        "message": {"text": call.body.get("text")},
    }


def _oauth_v2_access(call: Call) -> dict[str, Any]:
    """An install ("code-T2", "code-T2-rotating": a token that expires, with a refresh token) or a refresh grant."""
    if _client_credentials(call) != (OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET):
        return {"ok": False, "error": "invalid_client_id"}
    if call.body.get("grant_type") == "refresh_token":
        # "xoxe-1-T2-3": the refresh token of T2's third token; the answer is the fourth.
        _, _, team_id, n = str(call.body.get("refresh_token")).split("-")
        return _bot_token_grant(team_id, int(n) + 1, rotating=True)
    code = str(call.body.get("code", ""))
    if not code.startswith("code-T"):
        return {"ok": False, "error": "invalid_code"}
    team_id = code.split("-")[1]
    return {
        **_bot_token_grant(team_id, 1, rotating=code.endswith("-rotating")),
        "app_id": "A1",
        "bot_user_id": BOT_USER_ID,
        "team": {"id": team_id, "name": f"Workspace {team_id}"},
        "enterprise": None,
        "is_enterprise_install": False,
        "authed_user": {"id": "UINSTALLER"},
    }


def _client_credentials(call: Call) -> tuple[str, str]:
    """slack_sdk sends the client id and secret as HTTP Basic auth; Slack also takes them in the body."""
    auth = call.headers.get("authorization", "")
    if auth.startswith("Basic "):
        client_id, _, secret = base64.b64decode(auth.removeprefix("Basic ")).decode().partition(":")
        return client_id, secret
    return str(call.body.get("client_id")), str(call.body.get("client_secret"))


def _bot_token_grant(team_id: str, n: int, *, rotating: bool) -> dict[str, Any]:
    grant: dict[str, Any] = {
        "ok": True,
        "access_token": f"xoxb-{team_id}-{n}",
        "token_type": "bot",
        "scope": "commands,chat:write",
    }
    if rotating:
        grant.update(refresh_token=f"xoxe-1-{team_id}-{n}", expires_in=43200)
    return grant


DEFAULT_REPLIES: dict[str, Reply] = {
    "oauth.v2.access": _oauth_v2_access,
    "auth.test": _auth_test,
    "views.open": _view,
    "views.update": _view,
    "views.push": _view,
    "views.publish": _view,
    "chat.getPermalink": _permalink,
    "chat.postMessage": _post_message,
    "chat.update": _post_message,
    "chat.postEphemeral": {"ok": True, "message_ts": "1700000000.000200"},
    "conversations.open": {"ok": True, "channel": {"id": "D0REPORTER"}},
    # files_upload_v2: ask for an upload URL (ours), send the bytes there, then complete the upload.
    "files.getUploadURLExternal": lambda call: {
        "ok": True,
        "upload_url": f"{call.base_url}/upload/F0001",
        "file_id": "F0001",
    },
    "files.completeUploadExternal": {"ok": True, "files": [{"id": "F0001", "title": "deadline-flag export"}]},
    "users.info": lambda call: {"ok": True, "user": {"id": call.body.get("user"), "is_admin": False, "is_owner": False}},
}


class _Handler(BaseHTTPRequestHandler):
    fake: FakeSlackApi

    def do_POST(self) -> None:
        raw_bytes = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        raw = raw_bytes.decode(errors="replace")
        if self.headers.get("Content-Type", "").startswith("application/json"):
            body = json.loads(raw or "{}")
        elif self.headers.get("Content-Type", "").startswith("multipart/"):
            body = {}  # a file upload: the bytes are in call.raw
        else:
            body = dict(parse_qsl(raw, keep_blank_values=True))
        path = self.path.split("?", 1)[0]
        method = path.removeprefix("/api/") if path.startswith("/api/") else path.lstrip("/")
        call = Call(
            method=method,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            base_url=self.fake.url,
            raw=raw_bytes,
        )
        self.fake.record(call)
        time.sleep(self.fake.delays.get(method, 0))
        if method in self.fake.holds:
            self.fake.holds[method].wait(timeout=30)
        status, headers, reply = self.fake.answer(call)
        payload = json.dumps(reply).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST

    def log_message(self, format: str, *args: Any) -> None:  # quiet: pytest shows failures, not traffic
        pass


def start_fake_slack_api() -> tuple[FakeSlackApi, ThreadingHTTPServer]:
    fake = FakeSlackApi()
    handler = type("Handler", (_Handler,), {"fake": fake})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_port}"
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return fake, server
