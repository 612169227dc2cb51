"""Send requests into the app the way Slack does: over HTTP, signed with the app's signing secret."""

from __future__ import annotations

import html
import itertools
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.error import HTTPError
from urllib.parse import parse_qs, urlencode, urlsplit
from urllib.request import Request, urlopen

from slack_sdk.signature import SignatureVerifier

from tests.fake_slack_api import FakeSlackApi

SIGNING_SECRET = "test-signing-secret"
_trigger_ids = itertools.count(1)


def new_trigger_id() -> str:
    """A fresh trigger_id, as Slack gives every command and interaction its own."""
    return f"13345224609.{next(_trigger_ids)}.8088930838d88f008e0"


@dataclass
class Reply:
    status: int
    text: str
    headers: dict[str, str]

    def json(self) -> Any:
        return json.loads(self.text)


def post(
    url: str,
    body: str,
    *,
    content_type: str,
    secret: str = SIGNING_SECRET,
    timestamp: int | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 10,
) -> Reply:
    """POST `body` signed with `secret` (as Slack signs it), and return the reply, whatever its status."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    all_headers = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": signature,
        **(headers or {}),
    }
    request = Request(url, data=body.encode(), headers=all_headers, method="POST")
    try:
        with urlopen(request, timeout=timeout) as response:
            return Reply(response.status, response.read().decode(), dict(response.headers))
    except HTTPError as error:
        return Reply(error.code, error.read().decode(), dict(error.headers))


@dataclass
class SlackSender:
    """Builds Slack's payloads for one endpoint; each method sends one request and returns the reply.

    Like Slack, it issues each trigger_id it sends at the moment it sends it (to `fake`, which then lets it open
    one view within 3 seconds)."""

    url: str
    fake: FakeSlackApi
    secret: str = SIGNING_SECRET
    response_url: str = ""

    def __post_init__(self) -> None:
        self.response_url = self.response_url or self.fake.response_url()

    def command(
        self,
        text: str = "",
        *,
        team_id: str = "T1",
        user_id: str = "U1",
        channel_id: str = "C1",
        command: str = "/deadline-flag",
        **extra: str,
    ) -> Reply:
        form = {
            "token": "legacy",
            "team_id": team_id,
            "team_domain": "example",
            "channel_id": channel_id,
            "channel_name": "general",
            "user_id": user_id,
            "user_name": "someone",
            "command": command,
            "text": text,
            "api_app_id": "A1",
            "response_url": self.response_url,
            "trigger_id": new_trigger_id(),
            **extra,
        }
        return self.form(form)

    def form(self, form: dict[str, str], **kwargs: Any) -> Reply:
        self._issue(form)
        return post(
            self.url, urlencode(form), content_type="application/x-www-form-urlencoded", secret=self.secret, **kwargs
        )

    def interaction(self, payload: dict[str, Any], **kwargs: Any) -> Reply:
        """block_actions, view_submission, shortcuts: form-encoded `payload=<json>`, as Slack sends them."""
        return self.form({"payload": json.dumps(payload)}, **kwargs)

    def _issue(self, form: dict[str, str]) -> None:
        """Slack issues a command's or an interaction's trigger_id as it sends it."""
        try:
            payload = json.loads(form["payload"]) if "payload" in form else form
        except ValueError:
            return
        trigger_id = payload.get("trigger_id") if isinstance(payload, dict) else None
        if isinstance(trigger_id, str) and trigger_id:
            self.fake.issue_trigger(trigger_id)

    def event(self, event: dict[str, Any], *, team_id: str = "T1", event_id: str | None = None, **kwargs: Any) -> Reply:
        body = {
            "token": "legacy",
            "team_id": team_id,
            "api_app_id": "A1",
            "type": "event_callback",
            "event": event,
            "event_id": event_id or f"Ev{next(_trigger_ids):08d}",  # Slack gives each event its own id
            "event_time": int(time.time()),
            "authorizations": [{"team_id": team_id, "user_id": "UBOT", "is_bot": True, "is_enterprise_install": False}],
        }
        return post(self.url, json.dumps(body), content_type="application/json", secret=self.secret, **kwargs)


def get(url: str, *, headers: dict[str, str] | None = None, timeout: float = 10) -> Reply:
    """GET `url` and return the reply, whatever its status."""
    try:
        with urlopen(Request(url, headers=headers or {}), timeout=timeout) as response:
            return Reply(response.status, response.read().decode(), dict(response.headers))
    except HTTPError as error:
        return Reply(error.code, error.read().decode(), dict(error.headers))


@dataclass
class Browser:
    """The installer's browser: opens /slack/install, follows the link to Slack, comes back to /slack/oauth_redirect.

    Keeps cookies by hand: Bolt's state cookie is `Secure`, which a cookie jar would not send over plain http.
    """

    base_url: str
    cookies: dict[str, str] = field(default_factory=dict)

    def open(self, path: str) -> Reply:
        cookie = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        reply = get(self.base_url + path, headers={"Cookie": cookie} if cookie else {})
        set_cookie = next((value for name, value in reply.headers.items() if name.lower() == "set-cookie"), "")
        for name, value in re.findall(r"(?:^|, )([\w-]+)=([^;]*);", set_cookie):
            self.cookies[name] = value
        return reply

    def start_install(self) -> dict[str, str]:
        """GET /slack/install: the query of the authorize URL it links to (client_id, scope, state...)."""
        reply = self.open("/slack/install")
        assert reply.status == 200, reply
        [href] = re.findall(r'href="([^"]*slack\.com/oauth/v2/authorize[^"]*)"', reply.text)
        return {
            key: values[0] for key, values in parse_qs(urlsplit(html.unescape(href)).query, keep_blank_values=True).items()
        }

    def finish_install(self, *, code: str, state: str) -> Reply:
        """Slack sends the installer back with a code and the state it was given."""
        return self.open("/slack/oauth_redirect?" + urlencode({"code": code, "state": state}))

    def install(self, team_id: str, *, rotating: bool = False) -> Reply:
        """The whole flow; the fake Web API answers `code-<team>` with a bot token for that team."""
        state = self.start_install()["state"]
        return self.finish_install(code=f"code-{team_id}" + ("-rotating" if rotating else ""), state=state)

    def install_org(self, enterprise_id: str = "E0GRID") -> Reply:
        """An Enterprise Grid admin installs the app for the whole org (org-wide): `code-<org>-org`."""
        state = self.start_install()["state"]
        return self.finish_install(code=f"code-{enterprise_id}-org", state=state)
