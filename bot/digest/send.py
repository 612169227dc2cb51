"""Post one workspace's digest exactly once per ISO week: claim in the database, post, record (or release)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session, sessionmaker

from bot.blocks.digest import digest_message
from bot.domain import digest as digests
from bot.domain.flags import RecordedFlag
from bot.domain.workspace_settings import effective_schedule
from bot.workspaces import Workspaces

log = logging.getLogger(__name__)
NAMES_LOOKUP_MAX = 60  # users.info calls per digest at most; beyond, people show as "a teammate"


class ChannelUnavailable(Exception):
    """The app cannot post in the digest channel and cannot join it by itself; the message says what to do."""


@dataclass(frozen=True)
class SendResult:
    team_id: str
    status: Literal["posted", "already_sent", "no_channel", "failed"]
    detail: str
    channel_id: str | None = None
    message_ts: str | None = None


def send_digest(
    db: sessionmaker[Session],
    workspaces: Workspaces,
    *,
    team_id: str,
    default_channel: str | None,
    now: datetime,
    force: bool = False,
) -> SendResult:
    """Post the digest of the seven days up to `now`, unless this week's is already posted (or `force`)."""
    try:
        schedule = effective_schedule(db, team_id=team_id, default_channel=default_channel)
        if not schedule.channel_id:
            return SendResult(team_id, "no_channel", "no digest channel: set DIGEST_CHANNEL or `settings set --channel`")
        week = schedule.iso_week(now)
        if not digests.claim_week(db, team_id=team_id, iso_week=week, now=now, force=force):
            return SendResult(team_id, "already_sent", f"the digest for {week} was already posted (--force posts it again)")
    except Exception as error:  # the database is down: nothing claimed, the next run tries again
        log.error("digest not claimed", extra={"team_id": team_id, "error": _describe(error)})
        return SendResult(team_id, "failed", _describe(error))

    try:
        digest = digests.build_digest(db, team_id=team_id, period=digests.rolling_week(now))
        client = workspaces.client_for(team_id)
        posted = post_in_channel(client, schedule.channel_id, digest_message(digest, display_names(client, digest.flags)))
    except Exception as error:
        _release(db, team_id, week)
        log.error("digest not posted", extra={"team_id": team_id, "iso_week": week, "error": _describe(error)})
        return SendResult(team_id, "failed", _describe(error), schedule.channel_id)

    digests.record_posted(
        db,
        team_id=team_id,
        iso_week=week,
        channel_id=posted["channel"],
        message_ts=posted["ts"],
        now=now,
        period=digest.period,
    )
    log.info("digest posted", extra={"team_id": team_id, "iso_week": week, "flags": digest.total})
    return SendResult(
        team_id, "posted", f"posted the digest for {week} ({digest.total} flags)", posted["channel"], posted["ts"]
    )


def post_in_channel(client: WebClient, channel_id: str, message: dict) -> dict:
    """chat.postMessage; if the app is not in the channel, join it (public channels) and try once more."""
    try:
        return client.chat_postMessage(channel=channel_id, unfurl_links=False, unfurl_media=False, **message).data  # type: ignore[return-value]
    except SlackApiError as error:
        if error.response.get("error") != "not_in_channel":
            raise
    join_channel(client, channel_id)
    return client.chat_postMessage(channel=channel_id, unfurl_links=False, unfurl_media=False, **message).data  # type: ignore[return-value]


def join_channel(client: WebClient, channel_id: str) -> None:
    """Join a public channel; for a private one, say what a member must do (apps cannot join those)."""
    try:
        client.conversations_join(channel=channel_id)
    except SlackApiError as error:
        raise ChannelUnavailable(
            f"the app is not in channel {channel_id} and cannot join it ({error.response.get('error')}): "
            "a member of that channel must type `/invite @deadline-flag` there"
        ) from error


def display_names(client: WebClient, flags: Iterable[RecordedFlag]) -> dict[str, str]:
    """Names for the people a digest mentions, so it can show them without pinging them. Best effort."""
    flags = list(flags)
    user_ids = {f.source_user_id for f in flags} | {f.reporter_user_id for f in flags}
    names: dict[str, str] = {}
    for user_id in sorted(u for u in user_ids if u)[:NAMES_LOOKUP_MAX]:
        try:
            user = client.users_info(user=user_id)["user"]
        except SlackApiError:
            continue
        profile = user.get("profile") or {}
        names[user_id] = profile.get("display_name") or profile.get("real_name") or user.get("name") or "a teammate"
    return names


def _release(db: sessionmaker[Session], team_id: str, week: str) -> None:
    try:
        digests.release_week(db, team_id=team_id, iso_week=week)
    except Exception as error:  # the claim goes stale and is taken over later
        log.error("digest claim not released", extra={"team_id": team_id, "iso_week": week, "error": _describe(error)})


def _describe(error: Exception) -> str:
    if isinstance(error, SlackApiError):
        return f"Slack answered {error.response.get('error')}"
    return str(error) if isinstance(error, ChannelUnavailable) else type(error).__name__
