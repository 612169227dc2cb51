from __future__ import annotations

import logging

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.blocks.agreement import agreement_message
from bot.blocks.flag_modal import FlagDraft
from bot.blocks.flags import flag_not_saved_message, flag_recorded_message, invalid_report_message, usage_message
from bot.blocks.origin import ModalOrigin
from bot.domain import flags
from bot.domain.agreement import agreement_of
from bot.domain.errors import StorageUnavailable
from bot.flows.flag_form import open_flag_form
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
    app_deps = deps(context)
    open_flag_form(
        client,
        app_deps,
        FlagDraft(),
        origin,
        team_id=context.team_id or "",
        user_id=context.user_id or "",
        trigger_id=command.get("trigger_id"),
    )


def handle_deadline_flag_command(ack: Ack, command: dict, context: BoltContext) -> None:
    """`/deadline-flag [keyword:] text` stores a flag and answers with a receipt only the reporter sees;
    `help` and `agreement` answer with the workspace's keywords and its agreement."""
    text = (command.get("text") or "").strip()
    app_deps = deps(context)
    try:
        agreement = agreement_of(app_deps.db, team_id=context.team_id or "")
        parsed = flags.parse_inline(text, agreement)
        if isinstance(parsed, flags.AgreementRequest):
            ack(response_type="ephemeral", **agreement_message(agreement))
            return
        if isinstance(parsed, flags.UsageRequest):
            ack(response_type="ephemeral", **usage_message(agreement, parsed.problem, text if parsed.problem else None))
            return
        report = flags.FlagReport(
            team_id=context.team_id or "",
            reporter_id=context.user_id or "",
            keyword=parsed.keyword,
            summary=parsed.summary,
            # No channel id: for a command typed in a DM it would tell who the reporter is.
            request_key=command.get("trigger_id"),
        )
        recorded = flags.record_flag(app_deps.db, report, reporter_key=app_deps.reporter_key, agreement=agreement)
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
    ack(response_type="ephemeral", **flag_recorded_message(recorded))
