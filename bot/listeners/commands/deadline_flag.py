from __future__ import annotations

import logging

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.blocks.flag_modal import FlagDraft, flag_modal
from bot.blocks.flags import flag_not_saved_message, flag_recorded_message, invalid_report_message, usage_message
from bot.blocks.origin import ModalOrigin
from bot.domain import flags
from bot.flows.replies import open_modal
from bot.logs import new_error_ref
from bot.slack.deps import deps

log = logging.getLogger(__name__)


def is_empty(command: dict) -> bool:
    return not (command.get("text") or "").strip()


def handle_empty_deadline_flag_command(ack: Ack, command: dict, context: BoltContext, client: WebClient) -> None:
    """`/deadline-flag` alone opens the flag modal."""
    ack()
    origin = ModalOrigin(response_url=command.get("response_url"))
    # A trigger_id expires within 3 seconds of the command: the modal opens straight after the ack, on its own pool.
    deps(context).open_now(
        open_modal,
        client,
        flag_modal(FlagDraft(), origin),
        trigger_id=command.get("trigger_id"),
        user_id=context.user_id or "",
        response_url=origin.response_url,
    )


def handle_deadline_flag_command(ack: Ack, command: dict, context: BoltContext) -> None:
    """`/deadline-flag [keyword:] text` stores a flag and answers with a receipt only the reporter sees."""
    text = (command.get("text") or "").strip()
    parsed = flags.parse_inline(text)
    if isinstance(parsed, flags.UsageRequest):
        ack(response_type="ephemeral", **usage_message(parsed.problem, text if parsed.problem else None))
        return
    report = flags.FlagReport(
        team_id=context.team_id or "",
        reporter_id=context.user_id or "",
        category=parsed.category,
        summary=parsed.summary,
        # No channel id: for a command typed in a DM it would tell who the reporter is.
        request_key=command.get("trigger_id"),
    )
    try:
        recorded = flags.record_flag(deps(context).db, report, reporter_key=deps(context).reporter_key)
    except flags.InvalidReport as problem:
        ack(response_type="ephemeral", **invalid_report_message(str(problem), text))
        return
    except flags.FlagNotSaved as failure:
        error_ref = new_error_ref()
        log.error(
            "flag not saved",
            extra={"team_id": context.team_id, "error_ref": error_ref, "cause": type(failure.__cause__).__name__},
        )
        ack(response_type="ephemeral", **flag_not_saved_message(text, error_ref))
        return
    # A local insert takes milliseconds, so the receipt is the HTTP answer itself: one round trip, and the
    # reporter sees it only once the flag is really stored.
    ack(response_type="ephemeral", **flag_recorded_message(recorded))
