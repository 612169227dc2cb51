"""Each person's Home tab: the agreement, their own flags, the week in counts, and for leads and admins what is theirs
to see and change."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from sqlalchemy.exc import SQLAlchemyError

from bot.blocks.home import LEAD_FLAGS_SHOWN, MissingScopes, home_unavailable_view, home_view
from bot.domain.digest import week_failure
from bot.domain.errors import StorageUnavailable
from bot.domain.home import home_summary
from bot.domain.outcomes import list_open_flags, may_change_outcomes, wants_outcome_dms
from bot.domain.workspace_settings import effective_schedule
from bot.flows.replies import is_workspace_admin
from bot.slack.deps import Deps
from bot.slack.people import SlackBusy
from bot.slack.scopes import missing_scopes
from bot.slack.web import INSTALL_PATH

log = logging.getLogger(__name__)


def publish_home(client: WebClient, deps: Deps, *, team_id: str, user_id: str, is_admin: bool | None = None) -> None:
    """Publish the user's Home tab. `is_admin`: when the caller has just asked Slack, so it is not asked twice."""
    try:
        summary = home_summary(deps.db, team_id=team_id, user_id=user_id, reporter_key=deps.reporter_key, now=deps.clock())
    except StorageUnavailable:
        # The Home tab says so rather than showing stale or empty data; the next open tries again.
        log.error("home not published: database unavailable", extra={"team_id": team_id})
        client.views_publish(user_id=user_id, view=home_unavailable_view())
        return
    if is_admin is None:
        try:
            is_admin = is_workspace_admin(client, deps, team_id=team_id, user_id=user_id)
        except SlackBusy:  # Home shows the member's view this time; the next open asks again
            is_admin = False
    admin = is_admin
    schedule = effective_schedule(deps.db, team_id=team_id, default_channel=deps.config.digest_channel) if admin else None
    failure = week_failure(deps.db, team_id=team_id, iso_week=schedule.iso_week(deps.clock())) if schedule else None
    lead = may_change_outcomes(deps.db, team_id=team_id, user_id=user_id, actor_is_admin=admin)
    open_flags = list_open_flags(deps.db, team_id=team_id, limit=LEAD_FLAGS_SHOWN) if lead else None
    dms = wants_outcome_dms(deps.db, team_id=team_id, user_id=user_id, reporter_key=deps.reporter_key)
    notice = scope_notice(deps, team_id=team_id) if admin else None
    view = home_view(
        summary, schedule, open_flags, outcome_dms=dms, digest_failure=failure, scopes=notice, edits_agreement=lead
    )
    client.views_publish(user_id=user_id, view=view)


def scope_notice(deps: Deps, *, team_id: str) -> MissingScopes | None:
    """OAuth mode: the scopes this workspace's installation lacks, as granted at install (its stored bot_scopes)."""
    if deps.installation_store is None:  # single-workspace mode: the token's scopes are set on the app's page
        return None
    try:
        bot = deps.installation_store.find_bot_of_team(team_id)
    except SQLAlchemyError:
        log.warning("installation not read for the scope notice", extra={"team_id": team_id})
        return None
    missing = missing_scopes(bot.bot_scopes or []) if bot is not None else []
    if not missing:
        return None
    app_url = deps.config.app_url
    return MissingScopes(missing, reinstall_url=f"{app_url}{INSTALL_PATH}" if app_url else None)
