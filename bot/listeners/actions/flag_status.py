from __future__ import annotations

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.blocks.outcomes import to_status_choice
from bot.deps import deps
from bot.listeners.outcomes import ChangeOrigin, choose_status


def handle_flag_status_action(ack: Ack, body: dict, action: dict, context: BoltContext, client: WebClient) -> None:
    """A lead picked a status from a flag's menu, in the digest or on the Home tab."""
    ack()
    choice = to_status_choice(str((action.get("selected_option") or {}).get("value") or ""))
    if choice is None or not context.team_id or not context.user_id:
        return
    container = body.get("container") or {}
    message = body.get("message") if isinstance(body.get("message"), dict) else {}
    origin = ChangeOrigin(
        channel_id=container.get("channel_id") or (body.get("channel") or {}).get("id"),
        message_ts=container.get("message_ts"),
        from_home=container.get("type") == "view",
        response_url=body.get("response_url"),
        message_blocks=message.get("blocks") if isinstance(message.get("blocks"), list) else None,
        message_text=str(message.get("text") or "deadline-flag digest"),
    )
    flag_id, status = choice
    # users.info (is this an admin?) waits on Slack: after the ack.
    deps(context).after_ack(
        choose_status,
        client,
        deps(context),
        team_id=context.team_id,
        user_id=context.user_id,
        flag_id=flag_id,
        status=status,
        origin=origin,
        trigger_id=body.get("trigger_id"),
    )
