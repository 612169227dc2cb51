"""Changing a flag's outcome, shared by the status menus (digest and Home) and the "not an issue" modal:
check the lead, record the change, then redraw the digest replies that list the flag, republish Home and tell the
reporter. Each of those three stands on its own: the change is committed, so one failing never stops the others."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from slack_sdk import WebClient

from bot.blocks.flags import refusal_message
from bot.blocks.origin import ModalOrigin
from bot.blocks.outcomes import flag_outcome_message
from bot.domain.constraint_reviews import ConstraintReview, NoClaim, Verdict, review_constraint
from bot.domain.flags import FlagNotFound
from bot.domain.outcomes import NotALead, Status, StatusChange, change_status
from bot.flows.digest_redraw import redraw_flag
from bot.flows.home import publish_home
from bot.flows.replies import admin_or_told_busy, tell_user
from bot.logs import describe_error
from bot.slack.deps import Deps

log = logging.getLogger(__name__)
T = TypeVar("T")


def record_status(
    client: WebClient,
    app_deps: Deps,
    *,
    team_id: str,
    user_id: str,
    flag_number: int,
    status: Status,
    reason: str | None,
    origin: ModalOrigin,
) -> None:
    def change(actor_is_admin: bool) -> StatusChange:
        return change_status(
            app_deps.db,
            team_id=team_id,
            flag_number=flag_number,
            to_status=status,
            changed_by=user_id,
            actor_is_admin=actor_is_admin,
            reporter_key=app_deps.reporter_key,
            now=app_deps.clock(),
            reason=reason,
        )

    done = _by_a_lead(client, app_deps, origin, change, team_id=team_id, user_id=user_id)
    if done is None or not done[0].changed:  # not done, or a double click or a retried request: nothing to redraw
        return
    changed, admin = done
    log.info("flag status changed", extra={"team_id": team_id, "flag_id": changed.flag.id, "to": status.value})
    steps = _redraws(client, app_deps, changed.flag.id, team_id=team_id, user_id=user_id, admin=admin, origin=origin)
    if changed.notify_user_id:
        notify = changed.notify_user_id
        steps.append(("outcome DM", lambda: client.chat_postMessage(channel=notify, **flag_outcome_message(changed.flag))))
    _run_each(steps, team_id=team_id, after="a status change")


def record_constraint_review(
    client: WebClient,
    app_deps: Deps,
    *,
    team_id: str,
    user_id: str,
    flag_number: int,
    verdict: Verdict,
    origin: ModalOrigin,
) -> None:
    """A lead's verdict on a flag's claimed constraint: check the lead, record it, redraw the digest replies (and Home)."""

    def review(actor_is_admin: bool) -> ConstraintReview:
        return review_constraint(
            app_deps.db,
            team_id=team_id,
            flag_number=flag_number,
            verdict=verdict,
            reviewed_by=user_id,
            actor_is_admin=actor_is_admin,
            now=app_deps.clock(),
        )

    done = _by_a_lead(client, app_deps, origin, review, team_id=team_id, user_id=user_id)
    if done is None or not done[0].changed:
        return
    reviewed, admin = done
    log.info("constraint claim reviewed", extra={"team_id": team_id, "flag_id": reviewed.flag.id, "verdict": verdict.value})
    steps = _redraws(client, app_deps, reviewed.flag.id, team_id=team_id, user_id=user_id, admin=admin, origin=origin)
    _run_each(steps, team_id=team_id, after="a constraint review")


def _by_a_lead(
    client: WebClient, app_deps: Deps, origin: ModalOrigin, change: Callable[[bool], T], *, team_id: str, user_id: str
) -> tuple[T, bool] | None:
    """(`change(actor_is_admin)`, actor_is_admin), or None once the actor has been told why not: Slack too busy to say
    whether they are an admin, or the domain's refusal (not a lead, no such flag, no claim to review)."""
    answered_at = origin.response_url
    actor_is_admin = admin_or_told_busy(client, app_deps, team_id=team_id, user_id=user_id, response_url=answered_at)
    if actor_is_admin is None:
        return None
    try:
        return change(actor_is_admin), actor_is_admin
    except (FlagNotFound, NotALead, NoClaim) as refused:
        tell_user(client, refusal_message(str(refused)), user_id=user_id, response_url=answered_at)
        return None


Step = tuple[str, Callable[[], object]]


def _redraws(
    client: WebClient, app_deps: Deps, flag_id: int, *, team_id: str, user_id: str, admin: bool, origin: ModalOrigin
) -> list[Step]:
    """What shows the changed flag: the digest replies that list it, and the lead's Home when they acted there."""
    steps: list[Step] = [
        ("digest redraw", lambda: redraw_flag(client, app_deps.db, app_deps.people, team_id=team_id, flag_id=flag_id))
    ]
    if origin.from_home:
        steps.append(
            ("home publish", lambda: publish_home(client, app_deps, team_id=team_id, user_id=user_id, is_admin=admin))
        )
    return steps


def _run_each(steps: list[Step], *, team_id: str, after: str) -> None:
    """The change is committed: each step stands on its own, and one failing never stops the others."""
    for step, work in steps:
        try:
            work()
        except Exception as error:
            log.warning(f"after {after}: failed", extra={"team_id": team_id, "step": step, "error": describe_error(error)})
