"""Which workspace a request belongs to: every flag, setting, digest and lead list is the workspace's the person
acted in, also when the app is installed once for a whole Enterprise Grid org.

Bolt's `context.team_id` is that workspace for a workspace install. For an org-wide install Slack sends the org's
enterprise id and often no team where Bolt looks first: an interaction has `team: null` (Bolt then reads
`user.team_id`), an event's `authorizations[0].team_id` is null (Bolt then finds nothing). The workspace is still in
the payload, where Slack puts it for org-wide installs: `user.team_id`, `view.team_id`, an event's
`context_team_id` or its envelope's `team_id` (../shared/SLACK_REALITY.md).
"""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import BoltContext

# A workspace id. An org's own id starts with E: never a workspace to file anything under.
_WORKSPACE_ID = re.compile(r"\AT[A-Z0-9]{1,31}\Z")
# Events about the installation itself: an org-wide one's belong to the org, not to one workspace.
INSTALLATION_EVENTS = frozenset({"app_uninstalled", "tokens_revoked", "team_access_revoked", "team_access_granted"})


def is_workspace_id(value: Any) -> bool:
    return isinstance(value, str) and bool(_WORKSPACE_ID.match(value))


def to_event_type(body: dict) -> str | None:
    event = body.get("event") if body.get("type") == "event_callback" else None
    kind = event.get("type") if isinstance(event, dict) else None
    return kind if isinstance(kind, str) else None


def is_installation_event(body: dict) -> bool:
    """app_uninstalled, tokens_revoked, team_access_revoked or team_access_granted: about the installation (an org's,
    for an org-wide one), from no one."""
    return to_event_type(body) in INSTALLATION_EVENTS


def to_org_workspace(body: dict) -> str | None:
    """The workspace an org-wide install's payload comes from, from the places Slack puts it; None if none."""
    user, view, event = (body.get(key) for key in ("user", "view", "event"))
    event_view = event.get("view") if isinstance(event, dict) else None
    candidates = [
        *(_get(a, "team_id") for a in _first(body.get("authorizations"))),  # events (null for an org-wide install)
        body.get("context_team_id"),  # events
        body.get("team_id"),  # commands; an event's envelope
        _get(user, "team_id"),  # interactions, whose `team` is null
        _get(view, "team_id"),
        _get(event_view, "team_id"),  # app_home_opened
    ]
    return next((team_id for team_id in candidates if is_workspace_id(team_id)), None)


def place_in_workspace(body: dict, context: BoltContext) -> str | None:
    """Set `context.team_id` to the workspace the request belongs to (before authorize, so it sees it too), and
    return it; None when the payload names none the app can trust (and then `context.team_id` is unset)."""
    if not context.is_enterprise_install:
        return context.team_id or None  # a workspace install: Bolt's reading, as it always was
    team_id = context.team_id if is_workspace_id(context.team_id) else to_org_workspace(body)
    if team_id is None:
        context.pop("team_id", None)
    else:
        context["team_id"] = team_id
    return team_id


def _get(value: Any, key: str) -> Any:
    return value.get(key) if isinstance(value, dict) else None


def _first(values: Any) -> list[Any]:
    return values[:1] if isinstance(values, list) else []
