"""A workspace's life after install: an uninstall starts a grace period, a re-install cancels it, then a purge."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.db import orgs as org_store
from bot.db import slack_stores
from bot.db import uninstalls as uninstall_store


def record_uninstall(db: sessionmaker[Session], *, team_id: str, now: datetime) -> None:
    """Start the grace period. Slack sends app_uninstalled and tokens_revoked together: the first one counts."""
    try:
        with db.begin() as session:
            if uninstall_store.get_uninstall(session, team_id=team_id) is None:
                uninstall_store.add_uninstall(session, team_id=team_id, uninstalled_at=now)
    except IntegrityError:
        pass  # the other event, in another thread, recorded it first


def cancel_purge(db: sessionmaker[Session], *, team_id: str) -> bool:
    """The workspace installed again, or an org gave the app back to it: keep its data. True if a purge was pending."""
    with db.begin() as session:
        return uninstall_store.delete_uninstall(session, team_id=team_id)


def record_org_uninstall(db: sessionmaker[Session], *, enterprise_id: str, now: datetime) -> list[str]:
    """The app left an Enterprise Grid org installed org-wide: start the grace period of each of the org's workspaces
    the app has served. Their team ids."""
    with db() as session:
        team_ids = org_store.list_org_team_ids(session, enterprise_id=enterprise_id)
    for team_id in team_ids:
        record_uninstall(db, team_id=team_id, now=now)
    return team_ids


def cancel_org_purge(db: sessionmaker[Session], *, enterprise_id: str) -> list[str]:
    """The org installed the app org-wide again: keep its workspaces' data. The team ids whose purge was pending."""
    with db.begin() as session:
        team_ids = org_store.list_org_team_ids(session, enterprise_id=enterprise_id)
        return [team_id for team_id in team_ids if uninstall_store.delete_uninstall(session, team_id=team_id)]


def record_org_access_revoked(
    db: sessionmaker[Session], *, enterprise_id: str, team_ids: list[str], now: datetime, schedule_purge: bool
) -> list[str]:
    """An org admin removed the org-wide installation from some of the org's workspaces (team_access_revoked): the
    installation stays, but serves them no more. Those the app served stop getting digests at once (they leave the
    org's list, which the clock reads) and, with `schedule_purge`, their data goes after the grace period, as after an
    uninstall. Only the org's own workspaces: a team id the org never brought is no business of this event. Their ids."""
    with db.begin() as session:
        left = org_store.delete_org_workspaces(session, enterprise_id=enterprise_id, team_ids=team_ids)
    if schedule_purge:
        for team_id in left:
            record_uninstall(db, team_id=team_id, now=now)
    return left


def purge_workspace(db: sessionmaker[Session], team_id: str) -> dict[str, int]:
    """Delete all of one workspace's data (flags, and any table with a team_id), at once; {table: rows deleted}."""
    with db.begin() as session:
        return uninstall_store.delete_team_rows(session, team_id=team_id)


def purge_uninstalled_workspaces(db: sessionmaker[Session], now: datetime, grace: timedelta) -> list[str]:
    """Purge every workspace uninstalled more than `grace` ago; the team ids purged. For the clock process."""
    cutoff = now - grace
    with db() as session:
        due = uninstall_store.list_uninstalled_team_ids(session, before=cutoff)
    purged = []
    for team_id in due:  # one transaction per workspace: a failure leaves the others done
        with db.begin() as session:
            # Checked again inside the transaction: a re-install since the list was read cancels the purge.
            uninstall = uninstall_store.get_uninstall(session, team_id=team_id, lock=True)
            if uninstall is not None and uninstall.uninstalled_at < cutoff:
                uninstall_store.delete_team_rows(session, team_id=team_id)
                purged.append(team_id)
    return purged


def forget_expired_install_states(db: sessionmaker[Session], *, now: datetime) -> int:
    """Each visit to /slack/install stores a state; one never used past its 10 minutes is deleted here."""
    with db.begin() as session:
        return slack_stores.delete_oauth_states_expired_before(session, now=now)
