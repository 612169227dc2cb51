"""Fill in and submit a modal the app opened, the way Slack builds view_submission payloads from it."""

from __future__ import annotations

import itertools
import json
from typing import Any

from tests.fake_slack_api import Call
from tests.slack_requests import new_trigger_id

_view_ids = itertools.count(90000)


def opened_view(call: Call) -> dict:
    view = call.body["view"]
    return json.loads(view) if isinstance(view, str) else view


def _option(element: dict, value: str) -> dict:
    """The element's option with this value, from its options or its option groups."""
    options = element.get("options") or [o for group in element.get("option_groups", []) for o in group["options"]]
    [option] = [o for o in options if o["value"] == value]
    return option


def element_state(element: dict, answer: Any) -> dict:
    """One element's entry in view.state.values: `answer` is a value (selects: the option's value), or the
    element's initial value when the answer is ... (Ellipsis)."""
    kind = element["type"]
    state: dict[str, Any] = {"type": kind}
    if kind == "plain_text_input":
        state["value"] = element.get("initial_value") if answer is ... else answer
    elif kind in ("static_select", "radio_buttons"):
        state["selected_option"] = element.get("initial_option") if answer is ... else _option(element, answer)
    elif kind == "users_select":
        state["selected_user"] = element.get("initial_user") if answer is ... else answer
    elif kind == "conversations_select":
        state["selected_conversation"] = element.get("initial_conversation") if answer is ... else answer
    elif kind == "multi_users_select":
        state["selected_users"] = element.get("initial_users", []) if answer is ... else answer
    elif kind == "number_input":
        state["value"] = element.get("initial_value") if answer is ... else answer
    elif kind == "datepicker":
        state["selected_date"] = element.get("initial_date") if answer is ... else answer
    elif kind == "checkboxes":
        chosen = element.get("initial_options", []) if answer is ... else [_option(element, v) for v in answer]
        state["selected_options"] = chosen
    return state


def submission(view: dict, answers: dict[str, Any] | None = None, *, team_id: str = "T1", user_id: str = "U1") -> dict:
    """The view_submission payload for `view` with `answers` by block id; other inputs keep their initial value."""
    answers = answers or {}
    values = {}
    for block in view["blocks"]:
        if block["type"] == "input":
            element = block["element"]
            values[block["block_id"]] = {element["action_id"]: element_state(element, answers.get(block["block_id"], ...))}
    return {
        "type": "view_submission",
        "team": {"id": team_id, "domain": "example"},
        "user": {"id": user_id, "username": "someone", "team_id": team_id},
        "api_app_id": "A1",
        "token": "legacy",
        "trigger_id": "2.3.4",
        # Slack gives every opened view its own id (the fake does too); a submission carries it.
        "view": {"id": f"V{next(_view_ids):05d}", **view, "team_id": team_id, "state": {"values": values}, "hash": "h1"},
        "response_urls": [],
        "is_enterprise_install": False,
    }


def block_action(
    action_id: str,
    value: str,
    *,
    team_id: str = "T1",
    user_id: str = "U1",
    response_url: str | None = None,
    from_home: bool = False,
) -> dict:
    """A button click, from a message (with its response_url) or from the Home tab."""
    container = {"type": "view", "view_id": "VHOME"} if from_home else {"type": "message", "is_ephemeral": True}
    payload = {
        "type": "block_actions",
        "team": {"id": team_id, "domain": "example"},
        "user": {"id": user_id, "team_id": team_id},
        "api_app_id": "A1",
        "token": "legacy",
        "trigger_id": new_trigger_id(),  # every click gets its own, and it opens one view
        "container": container,
        "actions": [{"type": "button", "action_id": action_id, "block_id": "b1", "value": value, "action_ts": "1"}],
    }
    if response_url:
        payload["response_url"] = response_url
    return payload


def message_shortcut(
    message: dict,
    *,
    channel_id: str = "C1",
    channel_name: str = "general",
    team_id: str = "T1",
    user_id: str = "U1",
    response_url: str | None = None,
    team_domain: str | None = "example",
) -> dict:
    team: dict[str, Any] = {"id": team_id}
    if team_domain:
        team["domain"] = team_domain
    return {
        "type": "message_action",
        "callback_id": "log_this_request",
        "trigger_id": "8.9.10",
        "team": team,
        "user": {"id": user_id, "team_id": team_id},
        "channel": {"id": channel_id, "name": channel_name},
        "message": message,
        "message_ts": message.get("ts"),
        "response_url": response_url,
        "action_ts": "1700000000.1",
        "token": "legacy",
    }
