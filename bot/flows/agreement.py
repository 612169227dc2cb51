"""Changing the agreement from the Home tab, for workspace admins, owners and leads: the clause form opened (empty,
or on the clause picked), and, once its submission was checked beside each field, the change saved after the ack."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient

from bot.blocks.clause_form import ClauseFormInput, clause_modal
from bot.blocks.flags import refusal_message
from bot.blocks.origin import ModalOrigin
from bot.domain.agreement import (
    EDITORS_ONLY,
    InvalidClause,
    add_clause,
    agreement_of,
    check_addition,
    check_edit,
    edit_clause,
    may_edit_agreement,
)
from bot.domain.errors import StorageUnavailable
from bot.flows.home import publish_home
from bot.flows.replies import SLACK_BUSY, admin_or_told_busy, open_modal, tell_not_done, tell_user
from bot.slack.deps import Deps

log = logging.getLogger(__name__)


def open_clause_form(
    client: WebClient, app_deps: Deps, *, trigger_id: str | None, team_id: str, user_id: str, keyword: str | None
) -> None:
    """The clause form: empty (`keyword` None: a new clause) or on the clause with this keyword. Who may save it is
    checked on submit; Home shows the controls only to those who may."""
    try:
        agreement = agreement_of(app_deps.db, team_id=team_id)
    except StorageUnavailable:
        tell_not_done(app_deps, client, "The form did not open", team_id=team_id, user_id=user_id)
        return
    clause = agreement.clause(keyword) if keyword is not None else None
    if keyword is not None and (clause is None or clause.is_other):
        tell_user(client, refusal_message("That clause cannot be edited here: pick one from the list."), user_id=user_id)
        return
    origin = ModalOrigin(clause_keyword=clause.keyword if clause else None, from_home=True)
    if open_modal(client, clause_modal(clause, origin), trigger_id=trigger_id, user_id=user_id) and keyword:
        # Home's menu keeps showing the clause picked, and Slack sends nothing when the same one is picked again:
        # redrawn, it can be (if the form is cancelled).
        publish_home(client, app_deps, team_id=team_id, user_id=user_id)


def check_clause_form(app_deps: Deps, form: ClauseFormInput, team_id: str) -> dict[str, str]:
    """Every problem the save would refuse, by field, for the form to show before it closes (the domain's one check)."""
    if form.editing is None:
        return check_addition(app_deps.db, team_id=team_id, **_addition(form))
    return check_edit(app_deps.db, team_id=team_id, **_edit(form))


def _addition(form: ClauseFormInput) -> dict[str, Any]:
    return {
        "side": form.side or "",
        "keyword": form.keyword or "",
        "title": form.title or "",
        "description": form.description,
    }


def _edit(form: ClauseFormInput) -> dict[str, Any]:
    return {
        "keyword": form.editing,
        "side": form.side,
        "title": form.title,
        "description": form.description,
        "active": form.active,
    }


def apply_clause_form(client: WebClient, app_deps: Deps, form: ClauseFormInput, team_id: str, user_id: str) -> None:
    """Save a checked clause form: the editor is checked again here (the form proves nothing), then Home redrawn."""
    busy = f"Not saved. {SLACK_BUSY}"
    if (is_admin := admin_or_told_busy(client, app_deps, team_id=team_id, user_id=user_id, busy=busy)) is None:
        return
    if not may_edit_agreement(app_deps.db, team_id=team_id, user_id=user_id, actor_is_admin=is_admin):
        tell_user(client, refusal_message(EDITORS_ONLY), user_id=user_id)
        return
    try:
        if form.editing is None:
            clause = add_clause(app_deps.db, team_id=team_id, **_addition(form))
        else:
            clause = edit_clause(app_deps.db, team_id=team_id, **_edit(form))
    except InvalidClause as problem:  # a change since the form was checked (the same keyword added meanwhile...)
        tell_user(client, refusal_message(f"Not saved. {problem}"), user_id=user_id)
        return
    except StorageUnavailable:
        what = "Your change to the agreement was not saved"
        tell_not_done(app_deps, client, what, team_id=team_id, user_id=user_id, kept=form.describe())
        return
    log.info("agreement changed", extra={"team_id": team_id, "keyword": clause.keyword, "active": clause.active})
    publish_home(client, app_deps, team_id=team_id, user_id=user_id, is_admin=is_admin)
