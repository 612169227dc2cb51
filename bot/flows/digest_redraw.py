"""Redraw the digest replies that list a flag, after its status changed or its reporter withdrew it.

Each reply is rebuilt from the database as it is now (the flags it still lists, in its order), so the redraw is
the same whether the change came from the digest, the Home tab or the "not an issue" form. Each message stands on
its own: one that Slack will no longer update (deleted, archived channel) is logged and the others are still redrawn.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.blocks.digest import flags_reply_message
from bot.domain import digest as digests
from bot.domain.digest import ListingMessage
from bot.flows.digest import NAMES_LOOKUP_MAX, named_user_ids
from bot.logs import describe_error
from bot.slack.people import People

log = logging.getLogger(__name__)


def redraw_flag(client: WebClient, db: sessionmaker[Session], people: People, *, team_id: str, flag_id: int) -> int:
    """Redraw every digest reply that lists `flag_id`; the number Slack accepted."""
    return redraw_messages(client, people, digests.messages_listing(db, team_id=team_id, flag_id=flag_id), team_id=team_id)


def redraw_messages(client: WebClient, people: People, messages: Iterable[ListingMessage], *, team_id: str) -> int:
    redrawn = 0
    for message in messages:
        names = people.names(client, team_id=team_id, user_ids=named_user_ids(message.flags), limit=NAMES_LOOKUP_MAX)
        body = flags_reply_message(
            message.period_label, message.part, message.parts, message.flags, names, withdrawn=message.withdrawn
        )
        try:
            client.chat_update(channel=message.channel_id, ts=message.message_ts, **body)
            redrawn += 1
        except Exception as error:
            log.warning("digest message not redrawn", extra={"team_id": team_id, "error": describe_error(error)})
    return redrawn
