"""Telling one user something only they can see, from wherever they acted, and refreshing their Home tab."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot.blocks.home import LEAD_FLAGS_SHOWN, home_unavailable_view, home_view
from bot.blocks.text import mrkdwn_section
from bot.deps import Deps
from bot.domain.errors import StorageUnavailable
from bot.domain.home import home_summary
from bot.domain.outcomes import list_open_flags, may_change_outcomes, wants_outcome_dms
from bot.domain.workspace_settings import effective_schedule

log = logging.getLogger(__name__)


def tell_user(
    client: WebClient,
    message: dict,
    *,
    user_id: str,
    response_url: str | None = None,
    channel_id: str | None = None,
    replace_original: bool = False,
) -> None:
    """Show `message` to `user_id` alone: through the response_url when Slack gave one (it works in private
    channels and DMs the app is not in), else ephemerally in the channel, else as a DM from the app."""
    if response_url:
        try:
            reply = WebhookClient(response_url, timeout=10).send(
                response_type="ephemeral", replace_original=replace_original, **message
            )
            if reply.status_code == 200:
                return
            log.warning("response_url refused the reply", extra={"status": reply.status_code})
        except Exception as error:  # expired or unreachable: fall through to the Web API
            log.warning("response_url failed", extra={"error": type(error).__name__})
    if channel_id:
        try:
            client.chat_postEphemeral(channel=channel_id, user=user_id, **message)
            return
        except SlackApiError as error:  # not_in_channel, channel_not_found: the app cannot see it
            log.info("ephemeral reply not possible, sending a DM", extra={"error": error.response.get("error")})
    # A user id as the channel posts to the app's Messages tab with that user.
    client.chat_postMessage(channel=user_id, **message)


def open_modal(
    client: WebClient, view: dict, *, trigger_id: str | None, user_id: str, response_url: str | None = None
) -> None:
    """views.open; if Slack will not open it (down, rate-limited past our retries, trigger expired), say so."""
    try:
        client.views_open(trigger_id=trigger_id, view=view)
    except Exception as error:  # SlackApiError or a connection error: either way the user saw nothing happen
        log.warning("views.open failed", extra={"error": _describe(error)})
        tell_user(client, MODAL_FAILED, user_id=user_id, response_url=response_url)


MODAL_FAILED = {
    "text": "Slack did not open the form. Please try again in a moment.",
    "blocks": [
        mrkdwn_section(
            ":warning: Slack did not open the form. Please try again in a moment, "
            "or flag it inline: `/deadline-flag what was asked`."
        )
    ],
}


def _describe(error: Exception) -> str:
    return str(error.response.get("error")) if isinstance(error, SlackApiError) else type(error).__name__


def publish_home(client: WebClient, deps: Deps, *, team_id: str, user_id: str, is_admin: bool | None = None) -> None:
    """Publish the user's Home tab. `is_admin`: when the caller has just asked Slack, so it is not asked twice."""
    try:
        summary = home_summary(deps.db, team_id=team_id, user_id=user_id, reporter_key=deps.reporter_key, now=deps.clock())
    except StorageUnavailable:
        # The Home tab says so rather than showing stale or empty data; the next open tries again.
        log.error("home not published: database unavailable", extra={"team_id": team_id})
        client.views_publish(user_id=user_id, view=home_unavailable_view())
        return
    admin = is_workspace_admin(client, user_id) if is_admin is None else is_admin
    schedule = effective_schedule(deps.db, team_id=team_id, default_channel=deps.settings.digest_channel) if admin else None
    lead = may_change_outcomes(deps.db, team_id=team_id, user_id=user_id, actor_is_admin=admin)
    open_flags = list_open_flags(deps.db, team_id=team_id, limit=LEAD_FLAGS_SHOWN) if lead else None
    dms = wants_outcome_dms(deps.db, team_id=team_id, user_id=user_id, reporter_key=deps.reporter_key)
    client.views_publish(user_id=user_id, view=home_view(summary, schedule, open_flags, outcome_dms=dms))


def is_workspace_admin(client: WebClient, user_id: str) -> bool:
    """Admins and owners, as Slack says in users.info; when Slack cannot say, the answer is no."""
    try:
        user = client.users_info(user=user_id)["user"]
    except SlackApiError as error:
        log.info("users.info failed; treating the user as a member", extra={"error": error.response.get("error")})
        return False
    return bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))
