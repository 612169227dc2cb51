from __future__ import annotations

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.blocks import ids
from bot.blocks.flags import refusal_message
from bot.blocks.settings import DigestSettingsInput, describe_settings, read_digest_settings
from bot.blocks.text import mrkdwn_section
from bot.domain.errors import StorageUnavailable, storage_errors
from bot.domain.outcomes import set_leads
from bot.domain.workspace_settings import InvalidSetting, change_schedule, valid_channel_id, valid_timezone
from bot.flows.digest import ChannelUnusable, check_channel, shared_channel_refusal
from bot.flows.replies import SLACK_BUSY, is_workspace_admin, publish_home, tell_not_done, tell_user
from bot.listeners.actions.digest_settings import ADMINS_ONLY
from bot.slack.deps import Deps, deps
from bot.slack.people import SlackBusy

NO_WORKSPACE = "This request came without a workspace, so there is nowhere to save the settings."
SHARED_CHECK_TIMEOUT = 1.5  # seconds: the answer to a view submission must leave within Slack's 3


def handle_digest_settings_submission(ack: Ack, view: dict, context: BoltContext, client: WebClient) -> None:
    """Errors beside the fields now; the admin check, the save and joining the channel after the ack."""
    form = read_digest_settings((view.get("state") or {}).get("values") or {})
    errors = dict(form.errors)
    if not context.team_id:  # an org-wide install's payload without a workspace: nowhere to save the settings
        errors[ids.DIGEST_CHANNEL_BLOCK] = NO_WORKSPACE
    # Checked before the ack, as change_schedule will check them after it: a refusal there would be lost.
    for block_id, value, check in (
        (ids.DIGEST_CHANNEL_BLOCK, form.channel_id, valid_channel_id),
        (ids.DIGEST_TIMEZONE_BLOCK, form.timezone, valid_timezone),
    ):
        try:
            if value:
                check(value)
        except InvalidSetting as problem:
            errors[block_id] = str(problem)
    if form.channel_id and not errors and not form.allow_shared:
        # A Slack Connect channel would show flag text to another organisation: said beside the field, unless the
        # admin ticked the box. A quick client (no retries), so the answer still leaves within 3 seconds.
        quick = WebClient(token=client.token, base_url=client.base_url, timeout=SHARED_CHECK_TIMEOUT)
        if refusal := shared_channel_refusal(quick, form.channel_id, confirm="tick the box below"):
            errors[ids.DIGEST_CHANNEL_BLOCK] = refusal
    if errors:
        ack(response_action="errors", errors=errors)
        return
    ack()
    deps(context).after_ack(apply_digest_settings, client, deps(context), form, context.team_id or "", context.user_id or "")


def apply_digest_settings(client: WebClient, app_deps: Deps, form: DigestSettingsInput, team_id: str, user_id: str) -> None:
    # Checked here, not only when the modal opened: an admin may have been demoted since, and the modal proves nothing.
    try:
        is_admin = is_workspace_admin(client, app_deps, team_id=team_id, user_id=user_id)
    except SlackBusy:
        tell_user(client, refusal_message(f"Not saved. {SLACK_BUSY}"), user_id=user_id)
        return
    if not is_admin:
        tell_user(client, refusal_message(ADMINS_ONLY), user_id=user_id)
        return
    try:
        with storage_errors():
            schedule = change_schedule(
                app_deps.db,
                team_id=team_id,
                now=app_deps.clock(),
                default_channel=app_deps.settings.digest_channel,
                channel_id=form.channel_id,
                weekday=form.weekday,
                hour=form.hour,
                timezone=form.timezone,
                retention_days=form.retention_days,
                allow_shared=form.allow_shared,
                changed_by=user_id,
            )
            if form.lead_ids is not None:
                set_leads(app_deps.db, team_id=team_id, user_ids=form.lead_ids)
    except StorageUnavailable:
        # The form closed at the ack: what the admin chose comes back in the message instead.
        what = "Your digest settings were not saved"
        tell_not_done(app_deps, client, what, team_id=team_id, user_id=user_id, kept=describe_settings(form))
        return
    if schedule.channel_id:
        try:
            check_channel(client, schedule)  # joins a public channel; says what to do about any other
        except ChannelUnusable as unusable:
            text = f"Saved. {unusable}"
            tell_user(client, {"text": text, "blocks": [mrkdwn_section(text)]}, user_id=user_id)
    publish_home(client, app_deps, team_id=team_id, user_id=user_id, is_admin=True)  # checked above
