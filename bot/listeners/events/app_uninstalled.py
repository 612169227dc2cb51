"""app_uninstalled and tokens_revoked: forget the workspace's tokens now, and purge its data after the grace period."""

from __future__ import annotations

import logging

from slack_bolt import BoltContext

from bot.domain import uninstalls
from bot.slack.deps import deps

log = logging.getLogger(__name__)


def handle_app_uninstalled(context: BoltContext) -> None:
    _uninstall(context)


def handle_tokens_revoked(event: dict, context: BoltContext) -> None:
    # The app asks for no user scopes, so only a revoked bot token matters: without it the app is gone.
    tokens = event.get("tokens")
    if isinstance(tokens, dict) and tokens.get("bot"):
        _uninstall(context)


def _uninstall(context: BoltContext) -> None:
    app_deps = deps(context)
    team_id = context.team_id
    if app_deps.installation_store is None or not team_id:
        # Single-workspace mode owns no tokens to delete and cannot see a re-install (a new SLACK_BOT_TOKEN), so
        # nothing is scheduled; `python -m bot purge --team T` removes the data when the operator decides.
        log.warning("uninstalled; data kept (single-workspace mode or org-wide install)", extra={"team_id": team_id})
        return
    app_deps.installation_store.delete_all(enterprise_id=context.enterprise_id, team_id=team_id)
    uninstalls.record_uninstall(app_deps.db, team_id=team_id, now=app_deps.clock())
    log.info("uninstalled: tokens deleted, data purge scheduled", extra={"team_id": team_id})
