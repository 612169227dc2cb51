"""What happened next: leads move a flag through its outcomes, every change is recorded, the reporter hears.

Who may change an outcome: workspace admins and owners (Slack says who, so the caller passes `actor_is_admin`)
and the members of the workspace's leads list.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy.orm import Session, sessionmaker

from bot.db import outcomes as outcome_store
from bot.domain.errors import storage_errors
from bot.domain.flags import RecordedFlag, to_recorded, visible_flag
from bot.domain.reporters import open_contact, reporter_hash
from bot.domain.workspace_settings import is_listed_lead

REASON_MAX = 300


class Status(StrEnum):
    """Stored as its value."""

    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    DISCUSSED = "discussed"
    RESOLVED = "resolved"
    NOT_AN_ISSUE = "not_an_issue"

    @property
    def label(self) -> str:
        return {"not_an_issue": "Not an issue"}.get(self.value, self.value.capitalize())

    @property
    def is_closed(self) -> bool:
        return self in CLOSED


CLOSED = frozenset({Status.RESOLVED, Status.NOT_AN_ISSUE})
OPEN_STATUSES = [s.value for s in Status if s not in CLOSED]
STALE_AFTER = timedelta(weeks=4)
MEDIAN_WINDOW = timedelta(weeks=8)


NOT_A_LEAD = "Only workspace admins, owners and the leads list can change a flag's outcome."


class NotALead(Exception):
    """Only workspace admins, owners and the leads list may change a flag's outcome."""


@dataclass(frozen=True)
class StatusChange:
    flag: RecordedFlag
    from_status: Status
    changed: bool  # False when the flag already had that status (a double click, a retried request)
    notify_user_id: str | None  # the reporter to DM, when the flag closed and they have not opted out


@dataclass(frozen=True)
class OutcomeSummary:
    resolved_in_period: int
    open_now: int
    open_over_four_weeks: int
    median_days_to_resolution: float | None  # over resolutions in the last 8 weeks


def may_change_outcomes(db: sessionmaker[Session], *, team_id: str, user_id: str, actor_is_admin: bool) -> bool:
    return actor_is_admin or is_listed_lead(db, team_id=team_id, user_id=user_id)


def change_status(
    db: sessionmaker[Session],
    *,
    team_id: str,
    flag_number: int,
    to_status: Status,
    changed_by: str,
    actor_is_admin: bool,
    reporter_key: bytes,
    now: datetime,
    reason: str | None = None,
) -> StatusChange:
    """Move the flag leads know as #`flag_number` to `to_status`, append the change to its history, and say whom to
    notify. Leads name flags by number, never by internal id: ids follow the order flags were written in."""
    if not may_change_outcomes(db, team_id=team_id, user_id=changed_by, actor_is_admin=actor_is_admin):
        raise NotALead(NOT_A_LEAD)
    reason = (reason or "").strip()[:REASON_MAX] or None
    with db.begin() as session:
        row = visible_flag(session, team_id=team_id, flag_number=flag_number)
        from_status = Status(row.status)
        if from_status == to_status and (reason is None or reason == row.status_reason):
            return StatusChange(to_recorded(row), from_status, changed=False, notify_user_id=None)
        won = outcome_store.compare_and_set_status(
            session,
            flag=row,
            expected=from_status.value,
            to_status=to_status.value,
            reason=reason,
            resolved_at=now if to_status.is_closed else None,
        )
        if not won:  # another change got there first (a retried delivery, two leads at once)
            return StatusChange(to_recorded(row), Status(row.status), changed=False, notify_user_id=None)
        outcome_store.add_status_change(
            session,
            flag=row,
            from_status=from_status.value,
            to_status=to_status.value,
            reason=reason,
            changed_by=changed_by,
            changed_at=now,
        )
        notify = None
        if to_status.is_closed and not from_status.is_closed:
            user_id = open_contact(reporter_key, row.reporter_contact)
            if user_id and outcome_store.get_outcome_dms(session, team_id=team_id, reporter_hash=row.reporter_hash):
                notify = user_id
        return StatusChange(to_recorded(row), from_status, changed=True, notify_user_id=notify)


def status_history(db: sessionmaker[Session], *, team_id: str, flag_id: int) -> list[tuple[str, str, str, datetime]]:
    """(from, to, changed_by, changed_at) of one flag, oldest first."""
    with db() as session:
        changes = outcome_store.list_status_changes(session, team_id=team_id, flag_id=flag_id)
        return [(c.from_status, c.to_status, c.changed_by, c.changed_at) for c in changes]


def list_open_flags(db: sessionmaker[Session], *, team_id: str, limit: int) -> list[RecordedFlag]:
    """The open flags leads may see (held ones are not), the latest released first."""
    with db() as session:
        rows = outcome_store.list_open_flags(session, team_id=team_id, open_statuses=OPEN_STATUSES, limit=limit)
        return [to_recorded(row) for row in rows]


def outcome_summary(db: sessionmaker[Session], *, team_id: str, since: datetime, until: datetime) -> OutcomeSummary:
    with db() as session:
        resolved = outcome_store.count_resolved_between(session, team_id=team_id, since=since, until=until)
        open_now, stale = outcome_store.count_open_flags(
            session, team_id=team_id, open_statuses=OPEN_STATUSES, stale_before=until - STALE_AFTER
        )
        times = outcome_store.list_resolution_times(session, team_id=team_id, since=until - MEDIAN_WINDOW, until=until)
    days = [(resolved_at - released_at).total_seconds() / 86400 for released_at, resolved_at in times]
    return OutcomeSummary(resolved, open_now, stale, statistics.median(days) if days else None)


def wants_outcome_dms(db: sessionmaker[Session], *, team_id: str, user_id: str, reporter_key: bytes) -> bool:
    with db() as session:
        return outcome_store.get_outcome_dms(
            session, team_id=team_id, reporter_hash=reporter_hash(reporter_key, team_id=team_id, user_id=user_id)
        )


def set_outcome_dms(db: sessionmaker[Session], *, team_id: str, user_id: str, reporter_key: bytes, enabled: bool) -> None:
    with storage_errors(), db.begin() as session:
        outcome_store.set_outcome_dms(
            session,
            team_id=team_id,
            reporter_hash=reporter_hash(reporter_key, team_id=team_id, user_id=user_id),
            enabled=enabled,
        )
