from __future__ import annotations

import logging

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.blocks.agreement import agreement_message
from bot.blocks.flag_modal import FlagDraft
from bot.blocks.flags import flag_not_saved_message, flag_recorded_message, invalid_report_message, usage_message
from bot.blocks.origin import ModalOrigin
from bot.domain import flags
from bot.domain.errors import StorageUnavailable
from bot.flows.flag_form import open_flag_form
from bot.logs import new_error_ref
from bot.slack.deps import deps

log = logging.getLogger(__name__)


def is_empty(command: dict) -> bool:
    return not (command.get("text") or "").strip()


def handle_deadline_flag_command(ack: Ack, command: dict, context: BoltContext, client: WebClient) -> None:
    """`/deadline-flag` alone opens the flag modal; `/deadline-flag [keyword:] text` stores a flag."""
    # One listener that branches, not one per case with a matcher: Bolt builds the arguments of every matcher it
    # tries by name, and two listeners cost an inline flag two more of those.
    if is_empty(command):
        _open_flag_form(ack, command, context, client)
    else:
        _record_inline_flag(ack, command, context)


def _open_flag_form(ack: Ack, command: dict, context: BoltContext, client: WebClient) -> None:
    ack()
    origin = ModalOrigin(response_url=command.get("response_url"))
    # A trigger_id expires within 3 seconds of the command: the modal opens straight after the ack, on its own pool.
    app_deps = deps(context)
    app_deps.open_now(
        open_flag_form,
        client,
        app_deps,
        FlagDraft(),
        origin,
        team_id=context.team_id or "",
        trigger_id=command.get("trigger_id"),
        user_id=context.user_id or "",
    )


def _record_inline_flag(ack: Ack, command: dict, context: BoltContext) -> None:
    """Stores the flag and answers with a receipt only the reporter sees; `help` and `agreement` answer with the
    workspace's keywords and its agreement."""
    text = (command.get("text") or "").strip()
    app_deps = deps(context)
    try:
        outcome = flags.record_inline(
            app_deps.db,
            app_deps.agreements,
            text,
            team_id=context.team_id or "",
            reporter_id=context.user_id or "",
            # No channel id: for a command typed in a DM it would tell who the reporter is.
            request_key=command.get("trigger_id"),
            reporter_key=app_deps.reporter_key,
        )
        if isinstance(outcome.request, flags.AgreementRequest):
            ack(response_type="ephemeral", **agreement_message(outcome.agreement))
            return
        if isinstance(outcome.request, flags.UsageRequest):
            problem = outcome.request.problem
            ack(response_type="ephemeral", **usage_message(outcome.agreement, problem, text if problem else None))
            return
    except flags.InvalidReport as problem:
        ack(response_type="ephemeral", **invalid_report_message(str(problem), text))
        return
    except StorageUnavailable as failure:  # FlagNotSaved, or the agreement could not be read
        error_ref = new_error_ref()
        log.error(
            "flag not saved",
            extra={"team_id": context.team_id, "error_ref": error_ref, "cause": type(failure.__cause__).__name__},
        )
        ack(response_type="ephemeral", **flag_not_saved_message(text, error_ref))
        return
    # A local insert takes milliseconds, so the receipt is the HTTP answer itself: one round trip, and the
    # reporter sees it only once the flag is really stored.
    assert outcome.recorded is not None
    ack(response_type="ephemeral", **flag_recorded_message(outcome.recorded))
