"""The leads' CSV download: the flags leads may see, reporters anonymous, uploaded into the lead's DM with the app;
held flags are one number, in the message that comes with the file."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks.flags import refusal_message
from bot.domain.export import export_rows, to_csv
from bot.domain.holding import held_flags_now
from bot.domain.outcomes import NOT_A_LEAD, may_change_outcomes
from bot.flows.replies import admin_or_told_busy, tell_user
from bot.slack.deps import Deps

log = logging.getLogger(__name__)


def send_csv_export(client: WebClient, app_deps: Deps, team_id: str, user_id: str) -> None:
    """Upload the workspace's flags as CSV into the lead's DM with the app (reporters anonymous, as everywhere)."""
    if (is_admin := admin_or_told_busy(client, app_deps, team_id=team_id, user_id=user_id)) is None:
        return
    if not may_change_outcomes(app_deps.db, team_id=team_id, user_id=user_id, actor_is_admin=is_admin):
        tell_user(client, refusal_message(NOT_A_LEAD), user_id=user_id)
        return
    rows = export_rows(app_deps.db, team_id=team_id)
    held = held_flags_now(app_deps.db, team_id=team_id).sentence
    comment = f"{len(rows)} flags, reporters anonymous." + (f" {held}" if held else "")
    try:
        channel_id = client.conversations_open(users=user_id)["channel"]["id"]
        client.files_upload_v2(
            channel=channel_id,
            content=to_csv(rows),
            filename=f"deadline-flag-{team_id}.csv",
            title="deadline-flag export",
            initial_comment=comment,
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
