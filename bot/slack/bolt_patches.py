"""Fixes for slack-bolt defects that the app cannot route around, each applied once at import and only while the
installed slack-bolt still has the defect (checked by behaviour, not by version), so each can go when upstream fixes it.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from slack_bolt.request import internals, request

_upstream_parse_body = internals.parse_body


def parse_body(body: str, content_type: str | None) -> dict[str, Any]:
    """slack_bolt.request.internals.parse_body, minus its defect.

    slack-bolt 1.30.0 takes any form body that contains the substring "payload" for an interactivity payload: a slash
    command typed as `/deadline-flag the payload team wants it by Friday`, or sent from `#payload-infra`, parses to {}
    (no `payload` key), no listener matches and Bolt answers 404. Here only a `payload` field makes a form an
    interaction, as Slack sends them.
    """
    if not body:
        return {}
    if content_type == "application/json" or body.startswith("{"):
        return json.loads(body)
    form = dict(parse_qsl(body, keep_blank_values=True))
    if "payload" in form:
        return json.loads(form["payload"])
    return form


def _has_payload_substring_defect() -> bool:
    return _upstream_parse_body("text=the+payload+team", "application/x-www-form-urlencoded") == {}


if _has_payload_substring_defect():
    # BoltRequest imports the function by name and calls it for every HTTP request (and again when Bolt copies a
    # request for a lazy listener), so the name it holds is the one to replace. The app is synchronous: the
    # AsyncBoltRequest twin (which needs aiohttp) is left alone.
    request.parse_body = parse_body  # type: ignore[assignment]
