from __future__ import annotations

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.blocks.flags import refusal_message
from bot.blocks.settings import digest_settings_modal
from bot.deps import Deps, deps
from bot.domain.outcomes import list_leads
from bot.domain.workspace_settings import effective_retention_days, effective_schedule
from bot.listeners.replies import is_workspace_admin, tell_user

ADMINS_ONLY = "Only workspace admins and owners can change the digest settings."


def handle_digest_settings_action(ack: Ack, body: dict, context: BoltContext, client: WebClient) -> None:
    """ "Change" on the Home tab: the settings modal, for admins (checked with users.info, after the ack)."""
    ack()
    deps(context).after_ack(
        open_digest_settings, client, deps(context), body.get("trigger_id"), context.team_id or "", context.user_id or ""
    )


def open_digest_settings(client: WebClient, app_deps: Deps, trigger_id: str | None, team_id: str, user_id: str) -> None:
    if not is_workspace_admin(client, user_id):
        tell_user(client, refusal_message(ADMINS_ONLY), user_id=user_id)
        return
    schedule = effective_schedule(app_deps.db, team_id=team_id, default_channel=app_deps.settings.digest_channel)
    leads = list_leads(app_deps.db, team_id=team_id)
    retention = effective_retention_days(app_deps.db, team_id=team_id)
    client.views_open(trigger_id=trigger_id, view=digest_settings_modal(schedule, leads, retention))
