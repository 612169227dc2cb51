from __future__ import annotations

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.blocks.settings import digest_settings_modal, settings_checking_modal, settings_refused_modal
from bot.domain.outcomes import list_leads
from bot.domain.workspace_settings import effective_retention_days, effective_schedule
from bot.flows.replies import SLACK_BUSY, is_workspace_admin, open_modal
from bot.slack.deps import Deps, deps
from bot.slack.people import SlackBusy

ADMINS_ONLY = "Only workspace admins and owners can change the digest settings."


def handle_digest_settings_action(ack: Ack, body: dict, context: BoltContext, client: WebClient) -> None:
    """ "Change" on the Home tab: the settings modal, for admins (checked with users.info, after the ack)."""
    ack()
    deps(context).open_now(
        open_digest_settings, client, deps(context), body.get("trigger_id"), context.team_id or "", context.user_id or ""
    )


def open_digest_settings(client: WebClient, app_deps: Deps, trigger_id: str | None, team_id: str, user_id: str) -> None:
    # The trigger_id lives 3 seconds and users.info may take longer: open a "checking" view with it at once, then
    # replace it (views.update needs no trigger) with the form or the refusal, off the pool kept for triggers.
    # The submit checks the admin again.
    view_id = open_modal(client, settings_checking_modal(), trigger_id=trigger_id, user_id=user_id)
    if view_id is not None:
        app_deps.after_ack(fill_digest_settings, client, app_deps, view_id, team_id, user_id)


def fill_digest_settings(client: WebClient, app_deps: Deps, view_id: str, team_id: str, user_id: str) -> None:
    try:
        is_admin = is_workspace_admin(client, app_deps, team_id=team_id, user_id=user_id)
    except SlackBusy:
        client.views_update(view_id=view_id, view=settings_refused_modal(SLACK_BUSY))
        return
    if not is_admin:
        client.views_update(view_id=view_id, view=settings_refused_modal(ADMINS_ONLY))
        return
    schedule = effective_schedule(app_deps.db, team_id=team_id, default_channel=app_deps.settings.digest_channel)
    leads = list_leads(app_deps.db, team_id=team_id)
    retention = effective_retention_days(app_deps.db, team_id=team_id)
    client.views_update(view_id=view_id, view=digest_settings_modal(schedule, leads, retention))
