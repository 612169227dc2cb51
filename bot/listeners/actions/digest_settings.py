from __future__ import annotations

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.flows.settings import open_digest_settings
from bot.slack.deps import deps


def handle_digest_settings_action(ack: Ack, body: dict, context: BoltContext, client: WebClient) -> None:
    """ "Change" on the Home tab: the settings modal, for admins (checked with users.info, after the ack)."""
    ack()
    deps(context).open_now(
        open_digest_settings, client, deps(context), body.get("trigger_id"), context.team_id or "", context.user_id or ""
    )
