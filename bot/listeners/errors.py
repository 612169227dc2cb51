"""The app's last word on anything a listener did not expect: log it with a reference, tell the user."""

from __future__ import annotations

import json
import logging

from slack_bolt import BoltRequest, BoltResponse

from bot.blocks.flags import flag_not_saved_message
from bot.logs import new_error_ref

log = logging.getLogger(__name__)


def handle_unexpected_error(error: Exception, request: BoltRequest) -> BoltResponse:
    """Answer 200 with something the user can act on; Slack shows a 5xx as a bare "dispatch_failed"."""
    error_ref = new_error_ref()
    body = request.body if isinstance(request.body, dict) else {}
    log.error(
        "listener failed",
        exc_info=error,
        extra={"error_ref": error_ref, "team_id": request.context.team_id, "kind": _kind(body)},
    )
    if "command" in body:
        # A slash command: the answer is shown to the user alone, with their text given back.
        message = flag_not_saved_message(body.get("text") or None, error_ref)
        return _json(200, {"response_type": "ephemeral", **message})
    return BoltResponse(status=200, body="")


def _kind(body: dict) -> str:
    return str(body.get("command") or body.get("type") or "unknown")[:40]


def _json(status: int, body: dict) -> BoltResponse:
    return BoltResponse(status=status, body=json.dumps(body), headers={"content-type": "application/json;charset=utf-8"})
