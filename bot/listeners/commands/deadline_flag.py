from __future__ import annotations

from slack_bolt import Ack, BoltContext

from bot.blocks.flags import flag_recorded_message, invalid_report_message, usage_message
from bot.deps import deps
from bot.domain import flags


def handle_deadline_flag_command(ack: Ack, command: dict, context: BoltContext) -> None:
    """`/deadline-flag [keyword:] text` stores a flag and answers with a receipt only the reporter sees."""
    text = (command.get("text") or "").strip()
    parsed = flags.parse_inline(text) if text else flags.UsageRequest()
    if isinstance(parsed, flags.UsageRequest):
        ack(response_type="ephemeral", **usage_message(parsed.problem, text if parsed.problem else None))
        return
    report = flags.FlagReport(
        team_id=context.team_id or "",
        reporter_id=context.user_id or "",
        category=parsed.category,
        summary=parsed.summary,
        # No channel id: for a command typed in a DM it would tell who the reporter is.
    )
    try:
        recorded = flags.record_flag(deps(context).db, report, reporter_key=deps(context).reporter_key)
    except flags.InvalidReport as problem:
        ack(response_type="ephemeral", **invalid_report_message(str(problem), text))
        return
    # A local insert takes milliseconds, so the receipt is the HTTP answer itself: one round trip, and the
    # reporter sees it only once the flag is really stored. A failed write goes to the app's error handler.
    ack(response_type="ephemeral", **flag_recorded_message(recorded))
