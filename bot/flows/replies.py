"""Telling one user something only they can see, from wherever they acted, and refreshing their Home tab."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot.blocks.flags import not_done_message, refusal_message
from bot.blocks.text import mrkdwn_section
from bot.logs import describe_error, new_error_ref
from bot.slack.deps import Deps
from bot.slack.people import SlackBusy
from bot.slack.tokens import for_trigger
from bot.slack.web import is_slack_response_url

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
    channels and DMs the app is not in), else ephemerally in the channel, else as a DM from the app.

    Not Bolt's `respond`: that knows only the response_url of the payload at hand, while a modal's submission
    carries the command's in its private_metadata, and the clock and CLI have none; and it has no fallback."""
    if response_url and not is_slack_response_url(response_url, api_url=client.base_url):
        # A signed payload can still name any host (whoever holds the signing secret signs what they like): a
        # receipt, which may hold the flag's text, goes only to Slack.
        log.warning("response_url outside Slack ignored")
        response_url = None
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
    # A user id as the channel posts to the app's Messages tab with that user. The last way: if it fails too,
    # there is nobody left to tell, so it is logged.
    try:
        client.chat_postMessage(channel=user_id, **message)
    except SlackApiError as error:
        log.warning("could not reach the user", extra={"error": error.response.get("error")})


def tell_not_done(
    app_deps: Deps,
    client: WebClient,
    what: str,
    *,
    team_id: str | None,
    user_id: str | None,
    response_url: str | None = None,
    kept: str | None = None,
) -> None:
    """The database failed an action: log it with a reference, and tell the user (after the ack) it was not done,
    giving back `kept`, what they had typed."""
    error_ref = new_error_ref()
    log.error("action not done: database unavailable", extra={"team_id": team_id, "error_ref": error_ref})
    message = not_done_message(what, error_ref, kept)
    app_deps.after_ack(tell_user, client, message, user_id=user_id or "", response_url=response_url)


def open_modal(
    client: WebClient, view: dict, *, trigger_id: str | None, user_id: str, response_url: str | None = None
) -> str | None:
    """views.open; the opened view's id. If Slack will not open it (down, rate-limited past our retries, trigger
    expired), the user is told, and None."""
    try:
        return for_trigger(client).views_open(trigger_id=trigger_id, view=view)["view"]["id"]
    except Exception as error:  # SlackApiError or a connection error: either way the user saw nothing happen
        log.warning("views.open failed", extra={"error": describe_error(error)})
        tell_user(client, MODAL_FAILED, user_id=user_id, response_url=response_url)
        return None


MODAL_FAILED = {
    "text": "Slack did not open the form. Please try again in a moment.",
    "blocks": [
        mrkdwn_section(
            ":warning: Slack did not open the form. Please try again in a moment, "
            "or flag it inline: `/deadline-flag what was asked`."
        )
    ],
}


SLACK_BUSY = "Slack is busy right now and could not say whether you may do this. Please try again in a moment."


def is_workspace_admin(client: WebClient, deps: Deps, *, team_id: str, user_id: str) -> bool:
    """Admins and owners, as Slack says in users.info (kept a few minutes: bot.slack.people). When Slack does not know the
    user, the answer is no; when it is rate-limiting, SlackBusy ("try again in a moment", never a wrong "no")."""
    person = deps.people.get(client, team_id=team_id, user_id=user_id)
    return person is not None and person.is_admin


def admin_or_told_busy(
    client: WebClient, deps: Deps, *, team_id: str, user_id: str, busy: str = SLACK_BUSY, response_url: str | None = None
) -> bool | None:
    """is_workspace_admin, or None once the user has been told (`busy`) that Slack was too busy to say."""
    try:
        return is_workspace_admin(client, deps, team_id=team_id, user_id=user_id)
    except SlackBusy:
        tell_user(client, refusal_message(busy), user_id=user_id, response_url=response_url)
        return None
