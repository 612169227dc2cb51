"""Send requests into the app the way Slack does: over HTTP, signed with the app's signing secret."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

from slack_sdk.signature import SignatureVerifier

SIGNING_SECRET = "test-signing-secret"


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
    """Builds Slack's payloads for one endpoint; each method sends one request and returns the reply."""

    url: str
    response_url: str
    secret: str = SIGNING_SECRET

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
            "trigger_id": "13345224609.738474920.8088930838d88f008e0",
            **extra,
        }
        return self.form(form)

    def form(self, form: dict[str, str], **kwargs: Any) -> Reply:
        return post(
            self.url, urlencode(form), content_type="application/x-www-form-urlencoded", secret=self.secret, **kwargs
        )

    def interaction(self, payload: dict[str, Any], **kwargs: Any) -> Reply:
        """block_actions, view_submission, shortcuts: form-encoded `payload=<json>`, as Slack sends them."""
        return self.form({"payload": json.dumps(payload)}, **kwargs)

    def event(self, event: dict[str, Any], *, team_id: str = "T1", event_id: str = "Ev1", **kwargs: Any) -> Reply:
        body = {
            "token": "legacy",
            "team_id": team_id,
            "api_app_id": "A1",
            "type": "event_callback",
            "event": event,
            "event_id": event_id,
            "event_time": int(time.time()),
            "authorizations": [{"team_id": team_id, "user_id": "UBOT", "is_bot": True, "is_enterprise_install": False}],
        }
        return post(self.url, json.dumps(body), content_type="application/json", secret=self.secret, **kwargs)
