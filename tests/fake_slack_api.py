"""A real HTTP server standing in for the Slack Web API (and for response_url), in the manner of Bolt's own tests.

It is as strict as Slack by default (../shared/SLACK_REALITY.md): it refuses messages and views past Block Kit's
limits (the cumulative block text included) and what slack_sdk's own models refuse, a trigger_id older than 3
seconds or used twice, a response_url used more than 5 times or after 30 minutes, chat.update on a message the app
did not post, posts to channels the bot is not in, that are private to it or archived, and a files_upload_v2 out of
its sequence (an upload URL never issued, a file completed twice or before its bytes arrived), into such a channel
or into the thread of a reply. A test opts out of a rule (`fake.lenient.add("trigger_id")`), never into it. It
keeps every call with its headers and parsed body, and can be told to be slow, to fail or to rate-limit. Nothing
here ever reaches slack.com.
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

from bot.slack.scopes import BOT_SCOPES
from tests.markup import message_limit_violations, view_limit_violations

Reply = dict[str, Any] | Callable[["Call"], dict[str, Any]]
TRIGGER_LIFETIME = 3.0  # seconds a trigger_id can open a view
RESPONSE_URL_USES = 5
RESPONSE_URL_LIFETIME = 30 * 60
MESSAGE_METHODS = {"chat.postMessage", "chat.update", "chat.postEphemeral"}
VIEW_METHODS = {"views.open", "views.push", "views.update", "views.publish"}
# The realism rules a test may opt out of, by name (FakeSlackApi.lenient).
RULES = {"blocks", "views", "trigger_id", "response_url", "chat.update", "channels", "files"}
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
class Channel:
    """A conversation as Slack sees it from the bot: public or private, archived, shared with another organisation."""

    id: str
    is_private: bool = False
    is_archived: bool = False
    is_member: bool = True  # the bot is in it
    is_ext_shared: bool = False
    is_im: bool = False
    members: set[str] | None = None  # who is in it; None: anyone asked about

    def info(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.id.lower(),
            "is_channel": not (self.is_private or self.is_im),
            "is_group": self.is_private,
            "is_im": self.is_im,
            "is_private": self.is_private or self.is_im,
            "is_archived": self.is_archived,
            "is_member": self.is_member,
            "is_ext_shared": self.is_ext_shared,
            "is_shared": self.is_ext_shared,
        }


def default_channels() -> dict[str, Channel]:
    """The channels the bot has been invited to in every test's workspace: where commands are typed, and the leads'."""
    return {"C1": Channel("C1"), "C0LEADS": Channel("C0LEADS")}


@dataclass
class PostedMessage:
    channel: str
    ts: str
    body: dict[str, Any]
    thread_ts: str | None = None
    by_app: bool = True
    deleted: bool = False


@dataclass
class Upload:
    """A file on its way through files_upload_v2: an upload URL asked for, the bytes sent there, then completed
    (shared in `channel_id`, in the thread of `thread_ts`) or never."""

    file_id: str
    filename: str
    length: int
    alt_txt: str | None
    data: bytes | None = None  # None until the bytes are sent to the upload URL
    completed: bool = False
    channel_id: str | None = None
    thread_ts: str | None = None
    title: str | None = None
    initial_comment: str | None = None


@dataclass
class FakeSlackApi:
    url: str = ""
    calls: list[Call] = field(default_factory=list)
    replies: dict[str, Reply] = field(default_factory=dict)
    delays: dict[str, float] = field(default_factory=dict)
    failures: dict[str, Failure] = field(default_factory=dict)
    holds: dict[str, threading.Event] = field(default_factory=dict)
    team_id: str = "T1"
    channels: dict[str, Channel] = field(default_factory=default_channels)
    messages: dict[tuple[str, str], PostedMessage] = field(default_factory=dict)
    triggers: dict[str, float] = field(default_factory=dict)  # trigger_id -> when Slack issued it (monotonic)
    used_triggers: set[str] = field(default_factory=set)
    response_urls: dict[str, list[float]] = field(default_factory=dict)  # path -> [issued at, then each use]
    opened_views: set[str] = field(default_factory=set)
    uploads: dict[str, Upload] = field(default_factory=dict)  # file id -> where it is in files_upload_v2's sequence
    socket_mode_url: str = ""  # what apps.connections.open hands out (tests/fake_socket_mode.py)
    lenient: set[str] = field(default_factory=set)  # realism rules (RULES) this test turned off
    refusals: list[tuple[str, str]] = field(default_factory=list)  # (method, error) for every call refused by a rule
    # What oauth.v2.access grants: None, every scope the app asks for (as Slack grants what the install page
    # asked); a test sets fewer for an installation made before the app asked for more.
    granted_scopes: str | None = None
    _changed: threading.Condition = field(default_factory=threading.Condition)
    _ts: itertools.count = field(default_factory=lambda: itertools.count(1))
    _file_ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    @property
    def api_url(self) -> str:
        """What SLACK_API_URL should be: slack_sdk joins method names onto it."""
        return f"{self.url}/api/"

    def response_url(self, name: str = "hooks/1") -> str:
        """A response_url as Slack issues one with an interaction: usable 5 times within 30 minutes."""
        self.response_urls.setdefault(name, [time.monotonic()])
        return f"{self.url}/{name}"

    def issue_trigger(self, trigger_id: str) -> None:
        """Slack gave a payload this trigger_id now (the first time a test sends it): it opens one view within 3 s."""
        with self._changed:
            self.triggers.setdefault(trigger_id, time.monotonic())

    def add_channel(self, channel_id: str, **attributes: Any) -> Channel:
        self.channels[channel_id] = Channel(channel_id, **attributes)
        return self.channels[channel_id]

    def rate_limit(self, method: str, *, retry_after: int = 1, times: int = 1) -> None:
        """Answer the next `times` calls of `method` with HTTP 429 and Retry-After, as Slack rate-limits."""
        self.fail(method, status=429, times=times, headers={"Retry-After": str(retry_after)}, error="ratelimited")

    def post_as_someone_else(self, channel: str, ts: str) -> None:
        """A message in `channel` that a person (not the app) posted: chat.update on it is refused."""
        self.messages[(channel, ts)] = PostedMessage(channel, ts, {}, by_app=False)

    def delete_message(self, channel: str, ts: str) -> None:
        self.messages[(channel, ts)].deleted = True

    def posted(self, channel: str | None = None) -> list[PostedMessage]:
        """Messages the app posted and Slack accepted (as last updated), oldest first."""
        with self._changed:
            found = [m for m in self.messages.values() if m.by_app and not m.deleted]
        return [m for m in found if channel is None or m.channel == channel]

    def fail(self, method: str, *, status: int = 200, times: int = 1, headers: dict[str, str] | None = None, **body: Any):
        """Answer the next `times` calls of `method` with `status` and `body` (default: {"ok": false})."""
        self.failures[method] = Failure(status, {"ok": False, **body}, headers or {}, times)

    def hold(self, method: str) -> threading.Event:
        """Make calls to `method` wait until the returned event is set (a Web API as slow as the test likes)."""
        self.holds[method] = threading.Event()
        return self.holds[method]

    def shared_files(self, channel: str | None = None) -> list[Upload]:
        """Files whose upload was completed into a channel, oldest first."""
        with self._changed:
            return [u for u in self.uploads.values() if u.completed and u.channel_id and channel in (None, u.channel_id)]

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

    def wait_until(self, check: Callable[[], bool], timeout: float = 5.0) -> None:
        """Wait until `check()` holds of what the fake holds (messages, channels...); fails the test after `timeout`."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not check():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError("the fake Web API never got there")
                self._changed.wait(remaining)

    def record(self, call: Call) -> None:
        with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    def answer(self, call: Call) -> tuple[int, dict[str, str], dict[str, Any]]:
        failure = self.failures.get(call.method)
        if failure and failure.times > 0:
            failure.times -= 1
            return failure.status, failure.headers, failure.body
        if call.method.startswith("upload/"):  # files_upload_v2 sends the bytes to the upload_url it was given
            return self._answer_upload(call)
        if "/" in call.method:  # a response_url
            return self._answer_response_url(call)
        if call.method == "apps.connections.open":  # Socket Mode: only an app-level token opens a connection
            if not (call.token or "").startswith("xapp-"):
                return 200, {}, {"ok": False, "error": "invalid_auth"}
            return 200, {}, {"ok": True, "url": self.socket_mode_url}
        if call.method not in NO_BOT_TOKEN_METHODS:
            token = call.token or ""
            if not token.startswith(("xoxb-", "xoxp-")):
                return 200, {}, {"ok": False, "error": "not_authed" if not token else "invalid_auth"}
        with self._changed:
            error = self._refusal(call)
            if error:
                self.refusals.append((call.method, error))
                return 200, {}, {"ok": False, "error": error}
            reply = self.replies.get(call.method) or DEFAULT_REPLIES.get(call.method) or {"ok": True}
            answer = reply(call) if callable(reply) else reply
            if answer.get("ok"):
                answer = self._remember(call, answer)
            if call.method == "oauth.v2.access" and answer.get("ok"):
                scopes = self.granted_scopes if self.granted_scopes is not None else ",".join(BOT_SCOPES)
                answer = {**answer, "scope": scopes}
            self._changed.notify_all()  # for wait_until: what Slack now holds has changed
        return 200, {}, answer

    # --- Slack's rules -------------------------------------------------------------------------------------------

    def _strict(self, rule: str) -> bool:
        return rule not in self.lenient

    def _refusal(self, call: Call) -> str | None:
        """The error Slack would answer `call` with, or None."""
        method, body = call.method, call.body
        if method in MESSAGE_METHODS and self._strict("blocks") and (error := _message_error(body)):
            return error
        if method in VIEW_METHODS and self._strict("views") and _view_problems(body.get("view")):
            return "invalid_arguments"
        if method in ("views.open", "views.push") and self._strict("trigger_id"):
            trigger_id = str(body.get("trigger_id") or "")
            issued = self.triggers.get(trigger_id)
            if issued is None:
                return "invalid_trigger_id"
            if trigger_id in self.used_triggers:
                return "trigger_exchanged"
            if time.monotonic() - issued > TRIGGER_LIFETIME:
                return "expired_trigger_id"
        if (
            method == "views.update"
            and self._strict("views")
            and not body.get("external_id")
            and str(body.get("view_id") or "") not in self.opened_views
        ):
            return "not_found"
        if method == "chat.update" and self._strict("chat.update"):
            message = self.messages.get((str(body.get("channel")), str(body.get("ts"))))
            if message is None or message.deleted:
                return "message_not_found"
            if not message.by_app:
                return "cant_update_message"
        if method in ("chat.postMessage", "chat.postEphemeral") and self._strict("channels"):
            return self._channel_error(
                str(body.get("channel") or ""), user=body.get("user"), ephemeral=method != "chat.postMessage"
            )
        if method == "files.getUploadURLExternal" and self._strict("files"):
            length = str(body.get("length") or "")
            if not body.get("filename") or not length.isdigit() or int(length) <= 0:
                return "invalid_arguments"
        if method == "files.completeUploadExternal" and self._strict("files"):
            return self._completion_error(body)
        if method == "conversations.info" and self._strict("channels"):
            return None if str(body.get("channel")) in self.channels else "channel_not_found"
        if method == "conversations.join" and self._strict("channels"):
            channel = self.channels.get(str(body.get("channel")))
            if channel is None:
                return "channel_not_found"
            if channel.is_archived:
                return "is_archived"
            if channel.is_private or channel.is_im:
                return "method_not_supported_for_channel_type"
        return None

    def _completion_error(self, body: dict[str, Any]) -> str | None:
        """files.completeUploadExternal: every file asked for and uploaded, completed once; the channel one the bot
        can post in (channel_id takes conversation ids only, bolt-js#2115); thread_ts a message there, not a reply."""
        files = _decoded(body.get("files"))
        if not isinstance(files, list) or not files:
            return "invalid_arguments"
        for item in files:
            upload = self.uploads.get(str(item.get("id")) if isinstance(item, dict) else "")
            if upload is None or upload.data is None or upload.completed:
                return "file_not_found"  # never asked for, bytes never sent, or already completed (once only)
        channel_id = str(body.get("channel_id") or "")
        thread_ts = body.get("thread_ts")
        if not channel_id:
            return "invalid_arguments" if thread_ts else None  # no channel: the file stays private
        if channel_id.startswith(("U", "W")):
            return "invalid_arguments"
        if self._strict("channels") and (error := self._channel_error(channel_id, user=None, ephemeral=False)):
            return error
        if thread_ts:
            parent = self.messages.get((channel_id, str(thread_ts)))
            if parent is None or parent.deleted or parent.thread_ts not in (None, parent.ts):
                return "thread_not_found"  # "Never use a reply's ts value; use its parent instead"
        return None

    def _answer_upload(self, call: Call) -> tuple[int, dict[str, str], dict[str, Any]]:
        with self._changed:
            upload = self.uploads.get(call.method.removeprefix("upload/"))
            if upload is None or (upload.data is not None and self._strict("files")):
                return 404, {}, {"ok": False, "error": "not_found"}  # an upload URL Slack never issued, or used
            upload.data = call.raw
            self._changed.notify_all()
        return 200, {}, {"ok": True}

    def _channel_error(self, channel_id: str, *, user: object, ephemeral: bool) -> str | None:
        if channel_id.startswith(("U", "W")) and not ephemeral:
            return None  # a user id posts to the app's DM with them
        channel = self.channels.get(channel_id)
        if channel is None or ((channel.is_private or channel.is_im) and not channel.is_member):
            return "channel_not_found"
        if channel.is_archived:
            return "is_archived"
        if not channel.is_member:
            return "not_in_channel"
        if ephemeral and channel.members is not None and user not in channel.members:
            return "user_not_in_channel"
        return None

    def _remember(self, call: Call, answer: dict[str, Any]) -> dict[str, Any]:
        """Keep what Slack would now know: posted messages, opened views, spent triggers, joined channels."""
        method, body = call.method, call.body
        if method == "chat.postMessage":
            channel = str(body.get("channel"))
            if channel.startswith(("U", "W")):  # Slack answers with the DM's own id
                channel = "D" + channel[1:]
                self.channels.setdefault(channel, Channel(channel, is_im=True))
            ts = f"{1_700_000_000 + next(self._ts)}.000100"
            self.messages[(channel, ts)] = PostedMessage(channel, ts, body, thread_ts=body.get("thread_ts"))
            answer = {**answer, "channel": channel, "ts": ts}
        elif method == "chat.update":
            message = self.messages.get((str(body.get("channel")), str(body.get("ts"))))
            if message is not None:
                message.body = {**message.body, **body}
        elif method in ("views.open", "views.push"):
            self.used_triggers.add(str(body.get("trigger_id") or ""))
        elif method == "conversations.join" and (channel := self.channels.get(str(body.get("channel")))):
            channel.is_member = True
        elif method == "files.getUploadURLExternal":
            file_id = f"F{next(self._file_ids):04d}"
            self.uploads[file_id] = Upload(
                file_id, str(body.get("filename")), int(str(body.get("length") or 0) or 0), body.get("alt_txt") or None
            )
            answer = {**answer, "file_id": file_id, "upload_url": f"{call.base_url}/upload/{file_id}"}
        elif method == "files.completeUploadExternal":
            shared = []
            for item in _decoded(body.get("files")) or []:
                upload = self.uploads.get(str(item.get("id")) if isinstance(item, dict) else "")
                if upload is not None:
                    upload.completed, upload.title = True, item.get("title")
                    upload.channel_id, upload.thread_ts = body.get("channel_id") or None, body.get("thread_ts") or None
                    upload.initial_comment = body.get("initial_comment") or None
                    shared.append({"id": upload.file_id, "title": upload.title, "name": upload.filename})
            answer = {**answer, "files": shared}
        elif method == "conversations.info" and (channel := self.channels.get(str(body.get("channel")))):
            answer = {**answer, "channel": channel.info()}
        elif method == "conversations.open":
            channel_id = answer.get("channel", {}).get("id")
            if channel_id:
                self.channels.setdefault(channel_id, Channel(channel_id, is_im=True))
        if method in VIEW_METHODS and isinstance(answer.get("view"), dict):
            self.opened_views.add(answer["view"]["id"])
        return answer

    def _answer_response_url(self, call: Call) -> tuple[int, dict[str, str], dict[str, Any]]:
        if not self._strict("response_url"):
            return 200, {}, {"ok": True}
        with self._changed:
            uses = self.response_urls.setdefault(call.method, [time.monotonic()])
            if time.monotonic() - uses[0] > RESPONSE_URL_LIFETIME:
                return 404, {}, {"ok": False, "error": "expired_url"}
            if len(uses) > RESPONSE_URL_USES:
                return 404, {}, {"ok": False, "error": "used_url"}
            if self._strict("blocks") and (error := _message_error(call.body)):
                self.refusals.append((call.method, error))
                return 400, {}, {"ok": False, "error": error}
            uses.append(time.monotonic())
        return 200, {}, {"ok": True}


def _decoded(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) and value[:1] in "[{" else value


def _message_error(body: dict[str, Any]) -> str | None:
    """Slack's error for a message body past its limits (see tests/markup.py for each rule)."""
    blocks = _decoded(body.get("blocks")) or []
    problems = message_limit_violations({"text": body.get("text"), "blocks": blocks})
    if not problems:
        return None
    if any(p.startswith("msg_blocks_too_long") for p in problems):
        return "msg_blocks_too_long"
    if any(p.startswith("msg_too_long") for p in problems):
        return "msg_too_long"
    return "invalid_blocks"


def _view_problems(view: Any) -> list[str]:
    view = _decoded(view)
    return view_limit_violations(view) if isinstance(view, dict) else ["no view"]


def team_of_token(token: str | None) -> str:
    """Tokens the fake hands out name their workspace ("xoxb-T2-..."); any other bot token is T1's."""
    parts = (token or "").split("-")
    return parts[1] if len(parts) > 2 and parts[1].startswith("T") else "T1"


def org_of_token(token: str | None) -> str | None:
    """An org-wide installation's token names its org ("xoxb-E0GRID-1"); None for a workspace's token."""
    parts = (token or "").split("-")
    return parts[1] if len(parts) > 2 and parts[1].startswith("E") else None


def _auth_test(call: Call) -> dict[str, Any]:
    org = org_of_token(call.token)
    if org is not None:
        # An org-level token belongs to the org, not to one of its workspaces: no workspace's team_id to trust.
        # Bolt's install flow reads the org's url for the "add to workspaces" link on its success page.
        return {
            "ok": True,
            "url": f"https://{org.lower()}.enterprise.slack.com/",
            "team": f"Org {org}",
            "user": "deadline-flag",
            "user_id": BOT_USER_ID,
            "bot_id": "BBOT",
            "enterprise_id": org,
            "is_enterprise_install": True,
        }
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
    # channel and ts: FakeSlackApi._remember gives each posted message its own, as Slack does.
    return {
        "ok": True,
        "channel": call.body.get("channel"),
        "ts": call.body.get("ts"),
        "message": {"text": call.body.get("text")},
    }


def _oauth_v2_access(call: Call) -> dict[str, Any]:
    """An install ("code-T2", "code-T2-rotating": a token that expires, with a refresh token; "code-T3-grid": a
    workspace of the Enterprise Grid org E0GRID; "code-E0GRID-org": the org E0GRID installed org-wide, as Slack
    answers it: `team` null, `enterprise` set, is_enterprise_install) or a refresh grant."""
    if _client_credentials(call) != (OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET):
        return {"ok": False, "error": "invalid_client_id"}
    if call.body.get("grant_type") == "refresh_token":
        # "xoxe-1-T2-3": the refresh token of T2's third token; the answer is the fourth.
        _, _, team_id, n = str(call.body.get("refresh_token")).split("-")
        return _bot_token_grant(team_id, int(n) + 1, rotating=True)
    code = str(call.body.get("code", ""))
    if not code.startswith(("code-T", "code-E")):
        return {"ok": False, "error": "invalid_code"}
    owner = code.split("-")[1]  # the workspace, or the org of an org-wide install
    org_wide = owner.startswith("E")
    grant = {
        **_bot_token_grant(owner, 1, rotating=code.endswith("-rotating")),
        "app_id": "A1",
        "bot_user_id": BOT_USER_ID,
        "team": None if org_wide else {"id": owner, "name": f"Workspace {owner}"},
        "enterprise": {"id": "E0GRID", "name": "Grid Org"} if code.endswith("-grid") else None,
        "is_enterprise_install": org_wide,
        "authed_user": {"id": "UINSTALLER"},
    }
    if org_wide:
        grant["enterprise"] = {"id": owner, "name": f"Org {owner}"}
    return grant


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
    "conversations.info": {"ok": True},  # the channel's attributes come from FakeSlackApi.channels
    "conversations.join": lambda call: {"ok": True, "channel": {"id": call.body.get("channel")}},
    # files_upload_v2: ask for an upload URL, send the bytes there, then complete the upload (FakeSlackApi._remember
    # issues each file its id and URL, and records where it was shared).
    "files.getUploadURLExternal": {"ok": True},
    "files.completeUploadExternal": {"ok": True},
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


def start_fake_slack_api(host: str = "127.0.0.1") -> tuple[FakeSlackApi, ThreadingHTTPServer]:
    fake = FakeSlackApi()
    handler = type("Handler", (_Handler,), {"fake": fake})
    server = ThreadingHTTPServer((host, 0), handler)
    server.daemon_threads = True
    fake.url = f"http://{host}:{server.server_port}"
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return fake, server
