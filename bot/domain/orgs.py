"""Enterprise Grid orgs installed org-wide: which workspaces the org's one installation serves.

An org-wide installation is stored with the org's enterprise id and no workspace; each request names the workspace
the person acted in, and everything it stores belongs to that workspace. The org of each workspace is recorded here
the first time a request from it comes through the org's installation, so that work without a request (the digest,
an uninstall from the org) knows the org's workspaces.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.db import orgs as org_store


def record_org_workspace(db: sessionmaker[Session], *, team_id: str, enterprise_id: str, now: datetime) -> bool:
    """Remember that `team_id` belongs to the org `enterprise_id`; True if it was not known yet (or was another org's)."""
    try:
        with db.begin() as session:
            known = org_store.get_org_workspace(session, team_id=team_id)
            if known is None:
                org_store.add_org_workspace(session, team_id=team_id, enterprise_id=enterprise_id, first_seen_at=now)
                return True
            if known.enterprise_id != enterprise_id:  # the workspace moved to another org
                known.enterprise_id = enterprise_id
                return True
            return False
    except IntegrityError:
        return False  # another request from the same workspace, in another thread, recorded it first


def list_org_workspaces(db: sessionmaker[Session], *, enterprise_id: str) -> list[str]:
    """The workspaces of the org the app has served, by team id."""
    with db() as session:
        return org_store.list_org_team_ids(session, enterprise_id=enterprise_id)
