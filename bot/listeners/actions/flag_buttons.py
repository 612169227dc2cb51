"""Buttons on receipts and on the Home tab: flag something, edit a flag, release a held one now, withdraw it."""

from __future__ import annotations

import re

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.blocks.flag_modal import FlagDraft
from bot.blocks.origin import ModalOrigin, clicked_in
from bot.flows.flag_form import open_flag_form
from bot.flows.own_flag import edit_own_flag, release_own_flag, withdraw_own_flag
from bot.slack.deps import deps

# Our buttons carry str(flag.id): isdigit() alone would pass "²", which int() refuses, and 5,000 digits, which it
# refuses too. An id past the column's range is the domain's FlagNotFound.
_FLAG_ID = re.compile(r"\A[0-9]{1,10}\Z")


def to_flag_id(action: dict) -> int | None:
    value = action.get("value")
    return int(value) if isinstance(value, str) and _FLAG_ID.match(value) else None


def handle_new_flag_action(ack: Ack, body: dict, context: BoltContext, client: WebClient) -> None:
    ack()
    app_deps = deps(context)
    open_flag_form(
        client,
        app_deps,
        FlagDraft(),
        ModalOrigin(from_home=True),
        team_id=context.team_id or "",
        user_id=context.user_id or "",
        trigger_id=body.get("trigger_id"),
    )


def handle_edit_flag_action(ack: Ack, body: dict, action: dict, context: BoltContext, client: WebClient) -> None:
    ack()
    if (flag_id := to_flag_id(action)) is not None:
        team_id, user_id = context.team_id or "", context.user_id or ""
        trigger_id = body.get("trigger_id")
        edit_own_flag(
            client, deps(context), clicked_in(body), flag_id=flag_id, team_id=team_id, user_id=user_id, trigger_id=trigger_id
        )


def handle_release_flag_action(ack: Ack, body: dict, action: dict, context: BoltContext, client: WebClient) -> None:
    ack()
    if (flag_id := to_flag_id(action)) is not None:
        team_id, user_id = context.team_id or "", context.user_id or ""
        release_own_flag(client, deps(context), clicked_in(body), flag_id=flag_id, team_id=team_id, user_id=user_id)


def handle_withdraw_flag_action(ack: Ack, body: dict, action: dict, context: BoltContext, client: WebClient) -> None:
    ack()
    if (flag_id := to_flag_id(action)) is not None:
        team_id, user_id = context.team_id or "", context.user_id or ""
        withdraw_own_flag(client, deps(context), clicked_in(body), flag_id=flag_id, team_id=team_id, user_id=user_id)
