from __future__ import annotations

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.blocks import ids
from bot.blocks.clause_form import form_errors, read_clause_form
from bot.blocks.origin import ModalOrigin
from bot.domain.errors import StorageUnavailable
from bot.flows.agreement import apply_clause_form, check_clause_form
from bot.slack.deps import deps

NO_WORKSPACE = "This request came without a workspace, so there is nowhere to save the clause."
NOT_CHECKED = "The agreement could not be read just now, so nothing was saved. Please try again in a minute."


def handle_clause_form_submission(ack: Ack, view: dict, context: BoltContext, client: WebClient) -> None:
    """Problems beside the fields now (the domain's one check); who may change the agreement and the save after."""
    origin = ModalOrigin.from_metadata(view.get("private_metadata"))
    form = read_clause_form((view.get("state") or {}).get("values"), origin)
    team_id, user_id = context.team_id or "", context.user_id or ""
    editing = form.editing is not None
    if not team_id or not user_id:
        ack(response_action="errors", errors={ids.CLAUSE_TITLE_BLOCK: NO_WORKSPACE})
        return
    app_deps = deps(context)
    try:
        problems = check_clause_form(app_deps, form, team_id)
    except StorageUnavailable:
        ack(response_action="errors", errors={ids.CLAUSE_TITLE_BLOCK: NOT_CHECKED})
        return
    if problems:
        ack(response_action="errors", errors=form_errors(problems, editing=editing))
        return
    ack()
    app_deps.after_ack(apply_clause_form, client, app_deps, form, team_id, user_id)
