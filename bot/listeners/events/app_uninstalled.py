"""app_uninstalled and tokens_revoked: forget the workspace's tokens now, and purge its data after the grace period;
for an org-wide installation, the org's tokens, and the data of every workspace of the org the app served.
team_access_revoked and team_access_granted: an org-wide installation left some of the org's workspaces, or came
back to them; the installation and its tokens stay."""

from __future__ import annotations

import logging

from slack_bolt import BoltContext

from bot.domain import uninstalls
from bot.slack.deps import deps
from bot.slack.placement import is_workspace_id

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
    if app_deps.installation_store is None:
        # Single-workspace mode owns no tokens to delete and cannot see a re-install (a new SLACK_BOT_TOKEN), so
        # nothing is scheduled; `python -m bot purge --team T` removes the data when the operator decides.
        log.warning("uninstalled; data kept (single-workspace mode)", extra={"team_id": context.team_id})
        return
    # An org-wide installation's events say is_enterprise_install (in `authorizations`), or name the org and no workspace.
    if context.is_enterprise_install or (context.enterprise_id and not context.team_id):
        _uninstall_from_org(context)
        return
    team_id = context.team_id
    if not team_id:
        log.warning("uninstall event without a workspace or an org: nothing to uninstall")
        return
    app_deps.installation_store.delete_all(enterprise_id=context.enterprise_id, team_id=team_id)
    uninstalls.record_uninstall(app_deps.db, team_id=team_id, now=app_deps.clock())
    log.info("uninstalled: tokens deleted, data purge scheduled", extra={"team_id": team_id})


def _uninstall_from_org(context: BoltContext) -> None:
    """An org-wide installation is the org's: removing it ends the app in every workspace of the org at once."""
    app_deps, enterprise_id = deps(context), context.enterprise_id
    if not enterprise_id or app_deps.installation_store is None:
        log.warning("org-wide uninstall without an org: nothing to uninstall")
        return
    app_deps.installation_store.delete_all(enterprise_id=enterprise_id, team_id=None)
    team_ids = uninstalls.record_org_uninstall(app_deps.db, enterprise_id=enterprise_id, now=app_deps.clock())
    log.info(
        "uninstalled from the org: tokens deleted, data purge scheduled",
        extra={"enterprise_id": enterprise_id, "team_ids": team_ids},
    )


def handle_team_access_revoked(event: dict, context: BoltContext) -> None:
    app_deps, enterprise_id = deps(context), context.enterprise_id
    team_ids = _team_ids(event)
    if not enterprise_id or not team_ids:
        log.warning("team_access_revoked without an org or a workspace: nothing to do")
        return
    # Single-workspace mode keeps the data, as after an uninstall; the workspaces still get no more digests.
    left = uninstalls.record_org_access_revoked(
        app_deps.db,
        enterprise_id=enterprise_id,
        team_ids=team_ids,
        now=app_deps.clock(),
        schedule_purge=app_deps.installation_store is not None,
    )
    log.info("org installation left workspaces", extra={"enterprise_id": enterprise_id, "team_ids": left})


def handle_team_access_granted(event: dict, context: BoltContext) -> None:
    # Their data stays; each is served again, and on the clock's list, from its next request (bot.domain.orgs).
    cancelled = [t for t in _team_ids(event) if uninstalls.cancel_purge(deps(context).db, team_id=t)]
    log.info("org installation back in workspaces", extra={"enterprise_id": context.enterprise_id, "team_ids": cancelled})


def _team_ids(event: dict) -> list[str]:
    team_ids = event.get("team_ids")
    return [t for t in team_ids if is_workspace_id(t)] if isinstance(team_ids, list) else []
