"""Requests the app cannot place in a workspace (an org-wide install's payload that names none): refused before any
listener, with one sentence to the person who acted, and nothing stored.

Every listener files what it stores under `context.team_id`; bot.slack.placement sets it from wherever Slack put
the workspace. When it is still empty there is nowhere to file anything, whatever the surface.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_bolt import BoltContext, BoltResponse
from slack_sdk import WebClient

from bot.blocks.unplaced import NO_WORKSPACE, no_workspace_home_view, no_workspace_message
from bot.flows.replies import tell_user
from bot.slack.deps import deps
from bot.slack.placement import is_installation_event, to_event_type

log = logging.getLogger(__name__)
INTERACTIONS = ("block_actions", "message_action", "shortcut")


def refuse_unplaced_request(body: dict, context: BoltContext, next: Callable[[], None]) -> BoltResponse | None:
    """A global middleware: lets a request with a workspace through; answers one without, as its surface allows."""
    if context.team_id or is_installation_event(body):  # an uninstall from an org belongs to the org
        next()
        return None
    client: WebClient = context.client
    kind = "command" if "command" in body else body.get("type")
    log.warning("request without a workspace refused", extra={"kind": kind, "enterprise_id": context.enterprise_id})
    user_id = context.user_id
    if kind == "command":  # the answer is the HTTP response itself, with what they typed
        text = body.get("text") if isinstance(body.get("text"), str) else None
        return BoltResponse(status=200, body={"response_type": "ephemeral", **no_workspace_message(text)})
    if kind == "view_submission":
        # Beside the form's first field: the modal stays open with everything typed in it.
        state = (body.get("view") or {}).get("state") if isinstance(body.get("view"), dict) else None
        values = state.get("values") if isinstance(state, dict) else None
        fields = [block_id for block_id in values or {} if isinstance(block_id, str)] if isinstance(values, dict) else []
        if fields:
            return BoltResponse(status=200, body={"response_action": "errors", "errors": {fields[0]: NO_WORKSPACE}})
    if user_id and kind in (*INTERACTIONS, "view_submission"):
        response_url = context.get("response_url")
        deps(context).after_ack(tell_user, client, no_workspace_message(), user_id=user_id, response_url=response_url)
    elif user_id and to_event_type(body) == "app_home_opened" and body["event"].get("tab") == "home":
        deps(context).after_ack(client.views_publish, user_id=user_id, view=no_workspace_home_view())
    return BoltResponse(status=200, body="")
