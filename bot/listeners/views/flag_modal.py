from __future__ import annotations

import logging

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.blocks import ids
from bot.blocks.flag_modal import form_errors, read_flag_modal
from bot.blocks.origin import ModalOrigin
from bot.domain import flags
from bot.flows.flag_form import finish_flag_form
from bot.logs import new_error_ref
from bot.slack.deps import deps

log = logging.getLogger(__name__)


def handle_flag_modal_submission(ack: Ack, view: dict, context: BoltContext, client: WebClient) -> None:
    """Store (the domain checks it) -> close the modal -> receipt (after the ack); or the problems beside the fields."""
    form = read_flag_modal((view.get("state") or {}).get("values") or {})
    origin = ModalOrigin.from_metadata(view.get("private_metadata"))
    team_id, user_id = context.team_id or "", context.user_id or ""
    report = form.report(
        team_id=team_id,
        reporter_id=user_id,
        channel_id=origin.channel_id,
        message_ts=origin.message_ts,
        request_key=view.get("id"),
    )
    app_deps = deps(context)
    try:
        if origin.flag_id is not None:
            recorded = flags.update_flag(app_deps.db, origin.flag_id, report, reporter_key=app_deps.reporter_key)
        else:
            recorded = flags.record_flag(app_deps.db, report, reporter_key=app_deps.reporter_key)
    except flags.InvalidReport as problem:
        ack(response_action="errors", errors=form_errors(problem.problems))
        return
    except (flags.FlagNotFound, flags.NotYourFlag) as refused:
        ack(response_action="errors", errors={ids.SUMMARY_BLOCK: str(refused)})
        return
    except flags.FlagNotSaved as failure:
        # The modal stays open with everything typed in it: nothing is lost, and Save can be pressed again.
        error_ref = new_error_ref()
        log.error(
            "flag not saved", extra={"team_id": team_id, "error_ref": error_ref, "cause": type(failure.__cause__).__name__}
        )
        message = f"Not saved: something went wrong on our side (reference {error_ref}). Your text is still here; try again."
        ack(response_action="errors", errors={ids.SUMMARY_BLOCK: message})
        return
    ack()
    app_deps.after_ack(finish_flag_form, client, app_deps, recorded, origin, user_id)
