"""Home tab controls: a reporter's outcome-DM switch, and the leads' CSV export."""

from __future__ import annotations

import logging

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks.flags import refusal_message
from bot.domain.errors import StorageUnavailable
from bot.domain.export import export_rows, to_csv
from bot.domain.outcomes import may_change_outcomes, set_outcome_dms
from bot.flows.outcomes import NOT_A_LEAD
from bot.flows.replies import SLACK_BUSY, is_workspace_admin, publish_home, tell_not_done, tell_user
from bot.slack.deps import Deps, deps
from bot.slack.people import SlackBusy

log = logging.getLogger(__name__)


def handle_outcome_dms_action(ack: Ack, action: dict, context: BoltContext, client: WebClient) -> None:
    ack()
    if not context.team_id or not context.user_id:
        return
    selected = action.get("selected_options")
    enabled = isinstance(selected, list) and len(selected) > 0
    app_deps = deps(context)
    try:
        set_outcome_dms(
            app_deps.db,
            team_id=context.team_id,
            user_id=context.user_id,
            reporter_key=app_deps.reporter_key,
            enabled=enabled,
        )
    except StorageUnavailable:
        what = "Outcome DMs were not turned " + ("on" if enabled else "off")
        tell_not_done(app_deps, client, what, team_id=context.team_id, user_id=context.user_id)
        return
    app_deps.after_ack(publish_home, client, app_deps, team_id=context.team_id, user_id=context.user_id)


def handle_export_csv_action(ack: Ack, context: BoltContext, client: WebClient) -> None:
    ack()
    if context.team_id and context.user_id:
        deps(context).after_ack(send_csv_export, client, deps(context), context.team_id, context.user_id)


def send_csv_export(client: WebClient, app_deps: Deps, team_id: str, user_id: str) -> None:
    """Upload the workspace's flags as CSV into the lead's DM with the app (reporters anonymous, as everywhere)."""
    try:
        is_admin = is_workspace_admin(client, app_deps, team_id=team_id, user_id=user_id)
    except SlackBusy:
        tell_user(client, refusal_message(SLACK_BUSY), user_id=user_id)
        return
    if not may_change_outcomes(app_deps.db, team_id=team_id, user_id=user_id, actor_is_admin=is_admin):
        tell_user(client, refusal_message(NOT_A_LEAD), user_id=user_id)
        return
    rows = export_rows(app_deps.db, team_id=team_id)
    try:
        channel_id = client.conversations_open(users=user_id)["channel"]["id"]
        client.files_upload_v2(
            channel=channel_id,
            content=to_csv(rows),
            filename=f"deadline-flag-{team_id}.csv",
            title="deadline-flag export",
            initial_comment=f"{len(rows)} flags, reporters anonymous.",
        )
    except SlackApiError as error:  # the lead pressed a button: silence would look like a download on its way
        reason = str(error.response.get("error"))
        log.warning("csv export not sent", extra={"team_id": team_id, "error": reason})
        tell_user(client, refusal_message(export_failed_text(reason, error.response.get("needed"))), user_id=user_id)


def export_failed_text(error: str, needed: object) -> str:
    if error == "missing_scope":
        scopes = f" (`{needed}`)" if isinstance(needed, str) and needed else ""
        return (
            f"The CSV could not be sent: this installation lacks a permission the download needs{scopes}. "
            "A workspace admin can reinstall the app to grant it."
        )
    return f"The CSV could not be sent: Slack answered `{error}`. Please try again in a moment."
