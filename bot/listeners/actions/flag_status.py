from __future__ import annotations

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.blocks.outcomes import to_status_choice
from bot.deps import deps
from bot.listeners.outcomes import ChangeOrigin, choose_status


def handle_flag_status_action(ack: Ack, body: dict, action: dict, context: BoltContext, client: WebClient) -> None:
    """A lead picked a status from a flag's menu, in the digest or on the Home tab."""
    ack()
    option = action.get("selected_option")
    value = option.get("value") if isinstance(option, dict) else None
    choice = to_status_choice(value) if isinstance(value, str) else None
    if choice is None or not context.team_id or not context.user_id:
        return
    container, channel, message = (_object(body.get(key)) for key in ("container", "channel", "message"))
    blocks, text = message.get("blocks"), message.get("text")
    origin = ChangeOrigin(
        channel_id=_text(container.get("channel_id")) or _text(channel.get("id")),
        message_ts=_text(container.get("message_ts")),
        from_home=container.get("type") == "view",
        response_url=_text(body.get("response_url")),
        message_blocks=blocks if isinstance(blocks, list) and all(isinstance(b, dict) for b in blocks) else None,
        message_text=text if isinstance(text, str) and text else "deadline-flag digest",
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


def _object(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
