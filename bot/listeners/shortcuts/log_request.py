from __future__ import annotations

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.blocks.flag_modal import FlagDraft, ModalOrigin, flag_modal
from bot.deps import deps
from bot.listeners.replies import open_modal


def handle_log_request_shortcut(ack: Ack, shortcut: dict, context: BoltContext, client: WebClient) -> None:
    """ "Log this request" on a message: the flag modal, prefilled from the message, which the flag will link to."""
    ack()
    message = shortcut.get("message") if isinstance(shortcut.get("message"), dict) else {}
    channel = shortcut.get("channel") if isinstance(shortcut.get("channel"), dict) else {}
    team = shortcut.get("team") if isinstance(shortcut.get("team"), dict) else {}
    origin = ModalOrigin(
        channel_id=channel.get("id"),
        message_ts=message.get("ts") or shortcut.get("message_ts"),
        thread_ts=message.get("thread_ts"),
        team_domain=team.get("domain"),
        response_url=shortcut.get("response_url"),
    )
    # A bot's message has no user: its name is the best "where it came from" we have.
    bot_name = (message.get("bot_profile") or {}).get("name") or message.get("username")
    draft = FlagDraft(
        summary=str(message.get("text") or ""),
        source_user_id=message.get("user"),
        source_text=bot_name if not message.get("user") and bot_name else "",
    )
    deps(context).after_ack(
        open_modal,
        client,
        flag_modal(draft, origin),
        trigger_id=shortcut.get("trigger_id"),
        user_id=context.user_id or "",
        response_url=origin.response_url,
    )
