"""Leads review a reporter's claim that a real external constraint is behind a demanded date: confirmed or not.

Who may: the same people who change outcomes (admins, owners, the leads list). Every review is appended to the
flag's history of reviews with the lead who made it; the reporter is never recorded there, and no review names or
ranks the people a flag came from: the digest shows how many claims were confirmed, not whose.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.orm import Session, sessionmaker

from bot.db import outcomes as outcome_store
from bot.domain.flags import RecordedFlag, to_recorded, visible_flag
from bot.domain.outcomes import NOT_A_LEAD, NotALead, may_change_outcomes


class Verdict(StrEnum):
    """Stored as its value."""

    CONFIRMED = "confirmed"
    NOT_CONFIRMED = "not_confirmed"

    @property
    def label(self) -> str:
        return "Confirmed" if self is Verdict.CONFIRMED else "Not confirmed"


class NoClaim(Exception):
    """The flag claims no real external constraint: there is nothing to confirm."""


NO_CLAIM = "This flag claims no real external constraint (its reporter may have edited it): there is nothing to review."


@dataclass(frozen=True)
class ConstraintReview:
    flag: RecordedFlag
    changed: bool  # False when the claim already had that verdict (a double submit, a retried request)


def review_constraint(
    db: sessionmaker[Session],
    *,
    team_id: str,
    flag_number: int,
    verdict: Verdict,
    reviewed_by: str,
    actor_is_admin: bool,
    now: datetime,
) -> ConstraintReview:
    """Record a lead's verdict on the claimed constraint of the flag leads know as #`flag_number` (a held flag has no
    number, so it cannot be reviewed) and append it to the flag's history of reviews."""
    if not may_change_outcomes(db, team_id=team_id, user_id=reviewed_by, actor_is_admin=actor_is_admin):
        raise NotALead(NOT_A_LEAD)
    with db.begin() as session:
        row = visible_flag(session, team_id=team_id, flag_number=flag_number)
        if not row.external_constraint:
            raise NoClaim(NO_CLAIM)
        before = row.constraint_verdict
        if before == verdict.value:
            return ConstraintReview(to_recorded(row), changed=False)
        if not outcome_store.compare_and_set_verdict(session, flag=row, expected=before, verdict=verdict.value):
            return ConstraintReview(to_recorded(row), changed=False)  # another review got there first
        outcome_store.add_constraint_review(
            session, flag=row, from_verdict=before, verdict=verdict.value, reviewed_by=reviewed_by, reviewed_at=now
        )
        return ConstraintReview(to_recorded(row), changed=True)


def review_history(db: sessionmaker[Session], *, team_id: str, flag_id: int) -> list[tuple[str | None, str, str, datetime]]:
    """(from, to, reviewed_by, reviewed_at) of one flag's constraint reviews, oldest first."""
    with db() as session:
        reviews = outcome_store.list_constraint_reviews(session, team_id=team_id, flag_id=flag_id)
        return [(r.from_verdict, r.verdict, r.reviewed_by, r.reviewed_at) for r in reviews]
