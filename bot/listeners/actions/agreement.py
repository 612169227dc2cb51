"""The Home tab's agreement controls, for admins, owners and leads: "Add a clause", and the select that edits one."""

from __future__ import annotations

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.flows.agreement import open_clause_form
from bot.slack.deps import deps


def handle_add_clause_action(ack: Ack, body: dict, context: BoltContext, client: WebClient) -> None:
    ack()
    _open(body, context, client, keyword=None)


def handle_edit_clause_action(ack: Ack, body: dict, action: dict, context: BoltContext, client: WebClient) -> None:
    ack()
    option = action.get("selected_option")
    keyword = option.get("value") if isinstance(option, dict) else None
    if isinstance(keyword, str) and keyword:
        _open(body, context, client, keyword=keyword)


def _open(body: dict, context: BoltContext, client: WebClient, *, keyword: str | None) -> None:
    if not context.team_id or not context.user_id:
        return
    app_deps = deps(context)
    app_deps.open_now(
        open_clause_form,
        client,
        app_deps,
        trigger_id=body.get("trigger_id"),
        team_id=context.team_id,
        user_id=context.user_id,
        keyword=keyword,
    )
