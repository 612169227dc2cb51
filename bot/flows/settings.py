"""The digest settings form on Home, for workspace admins: opened at once, filled once Slack says who is an admin,
saved after the submit is checked again."""

from __future__ import annotations

import logging

from slack_sdk import WebClient

from bot.blocks.flags import refusal_message
from bot.blocks.settings import (
    DigestSettingsInput,
    describe_settings,
    digest_settings_modal,
    settings_checking_modal,
    settings_refused_modal,
)
from bot.blocks.text import mrkdwn_section
from bot.domain.errors import StorageUnavailable, storage_errors
from bot.domain.holding import MIN_REPORTERS_MIN, OFF_WARNING, effective_min_reporters
from bot.domain.workspace_settings import (
    change_settings,
    effective_retention_days,
    effective_schedule,
    list_leads,
)
from bot.flows.digest import ChannelUnusable, check_channel
from bot.flows.home import publish_home
from bot.flows.replies import SLACK_BUSY, admin_or_told_busy, is_workspace_admin, open_modal, tell_not_done, tell_user
from bot.slack.deps import Deps
from bot.slack.people import SlackBusy

log = logging.getLogger(__name__)


ADMINS_ONLY = "Only workspace admins and owners can change the digest settings."


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
    schedule = effective_schedule(app_deps.db, team_id=team_id, default_channel=app_deps.config.digest_channel)
    leads = list_leads(app_deps.db, team_id=team_id)
    retention = effective_retention_days(app_deps.db, team_id=team_id)
    people = effective_min_reporters(app_deps.db, team_id=team_id)
    client.views_update(view_id=view_id, view=digest_settings_modal(schedule, leads, retention, people))


def apply_digest_settings(client: WebClient, app_deps: Deps, form: DigestSettingsInput, team_id: str, user_id: str) -> None:
    # Checked here, not only when the modal opened: an admin may have been demoted since, and the modal proves nothing.
    busy = f"Not saved. {SLACK_BUSY}"
    if (is_admin := admin_or_told_busy(client, app_deps, team_id=team_id, user_id=user_id, busy=busy)) is None:
        return
    if not is_admin:
        tell_user(client, refusal_message(ADMINS_ONLY), user_id=user_id)
        return
    try:
        with storage_errors():
            people_before = effective_min_reporters(app_deps.db, team_id=team_id)
            schedule = change_settings(
                app_deps.db,
                team_id=team_id,
                now=app_deps.clock(),
                default_channel=app_deps.config.digest_channel,
                channel_id=form.channel_id,
                weekday=form.weekday,
                hour=form.hour,
                timezone=form.timezone,
                retention_days=form.retention_days,
                min_reporters=form.min_reporters,
                lead_ids=form.lead_ids,
                allow_shared=form.allow_shared,
                changed_by=user_id,
            )
    except StorageUnavailable:
        # The form closed at the ack: what the admin chose comes back in the message instead.
        what = "Your digest settings were not saved"
        tell_not_done(app_deps, client, what, team_id=team_id, user_id=user_id, kept=describe_settings(form))
        return
    if form.min_reporters == str(MIN_REPORTERS_MIN) and people_before != MIN_REPORTERS_MIN:
        text = f":warning: Saved. {OFF_WARNING}"
        tell_user(client, {"text": OFF_WARNING, "blocks": [mrkdwn_section(text)]}, user_id=user_id)
    if schedule.channel_id:
        try:
            check_channel(client, schedule)  # joins a public channel; says what to do about any other
        except ChannelUnusable as unusable:
            text = f"Saved. {unusable}"
            tell_user(client, {"text": text, "blocks": [mrkdwn_section(text)]}, user_id=user_id)
    publish_home(client, app_deps, team_id=team_id, user_id=user_id, is_admin=True)  # checked above
