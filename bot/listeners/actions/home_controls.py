"""Home tab controls: a reporter's outcome-DM switch, and the leads' CSV export."""

from __future__ import annotations

import logging

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.domain.errors import StorageUnavailable
from bot.domain.outcomes import set_outcome_dms
from bot.flows.export import send_csv_export
from bot.flows.home import publish_home
from bot.flows.replies import tell_not_done
from bot.slack.deps import deps

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
