from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.blocks.flag_modal import FlagDraft
from bot.blocks.origin import ModalOrigin
from bot.flows.flag_form import open_flag_form
from bot.slack.deps import deps


def to_dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def to_text(value: Any) -> str | None:
    """A string field as Slack documents it; anything else (null, a number, an object) reads as absent."""
    return value if isinstance(value, str) and value else None


def is_direct_conversation(channel: dict) -> bool:
    """A DM (`D…`, named "directmessage") or a group DM (named "mpdm-…", its id a `C…` or `G…` like any channel)."""
    channel_id, name = to_text(channel.get("id")) or "", to_text(channel.get("name")) or ""
    return channel_id.startswith("D") or name == "directmessage" or name.startswith("mpdm-")


def handle_log_request_shortcut(ack: Ack, shortcut: dict, context: BoltContext, client: WebClient) -> None:
    """ "Log this request" on a message: the flag modal, prefilled from the message, which the flag will link to."""
    ack()
    message, channel, team = (to_dict(shortcut.get(key)) for key in ("message", "channel", "team"))
    response_url = to_text(shortcut.get("response_url"))
    # A DM or group DM holds the reporter and one or a few others: its id, ts or link in a flag would say who
    # flagged. Nothing of the conversation goes into the modal's metadata, so nothing of it can be stored.
    direct = is_direct_conversation(channel)
    if direct:
        origin = ModalOrigin(response_url=response_url, from_direct_message=True)
    else:
        origin = ModalOrigin(
            channel_id=to_text(channel.get("id")),
            message_ts=to_text(message.get("ts")) or to_text(shortcut.get("message_ts")),
            thread_ts=to_text(message.get("thread_ts")),
            team_domain=to_text(team.get("domain")),
            response_url=response_url,
        )
    # A bot's message has no user: its name is the best "where it came from" we have.
    author = to_text(message.get("user"))
    bot_name = to_text(to_dict(message.get("bot_profile")).get("name")) or to_text(message.get("username"))
    draft = FlagDraft(
        summary=to_text(message.get("text")) or "",
        # In a DM the author is the one person who knows who they were talking to: naming them is the reporter's
        # choice, made knowingly (the form says what it tells), never a prefilled default.
        source_user_id=None if direct else author,
        source_text=bot_name if not author and bot_name else "",
    )
    app_deps = deps(context)
    open_flag_form(
        client,
        app_deps,
        draft,
        origin,
        team_id=context.team_id or "",
        user_id=context.user_id or "",
        trigger_id=shortcut.get("trigger_id"),
    )
