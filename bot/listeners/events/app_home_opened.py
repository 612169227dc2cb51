from __future__ import annotations

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.flows.home import publish_home
from bot.slack.deps import deps


def handle_app_home_opened(event: dict, context: BoltContext, client: WebClient) -> None:
    """Publish the Home tab (not the Messages tab, which fires the same event)."""
    if event.get("tab") != "home" or not context.team_id or not context.user_id:
        return
    deps(context).after_ack(publish_home, client, deps(context), team_id=context.team_id, user_id=context.user_id)
