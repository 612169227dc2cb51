from __future__ import annotations

import logging

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks import ids
from bot.blocks.flag_modal import form_errors, read_flag_modal
from bot.blocks.flags import flag_recorded_message
from bot.blocks.origin import ModalOrigin
from bot.domain import flags
from bot.flows.home import publish_home
from bot.flows.replies import tell_user
from bot.logs import new_error_ref
from bot.slack.deps import Deps, deps

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
    app_deps.after_ack(finish_flag, client, app_deps, recorded, origin, user_id)


def finish_flag(client: WebClient, app_deps: Deps, flag: flags.RecordedFlag, origin: ModalOrigin, user_id: str) -> None:
    """After the modal closed: link the source message, send the receipt, refresh the Home tab it came from."""
    if flag.channel_id and flag.message_ts and not flag.permalink:
        permalink = message_permalink(client, origin)
        if permalink:
            flags.set_permalink(app_deps.db, team_id=flag.team_id, flag_id=flag.id, permalink=permalink)
    if origin.from_home:
        publish_home(client, app_deps, team_id=flag.team_id, user_id=user_id)
    else:
        # Edits replace the receipt they were opened from; new flags get a receipt of their own.
        tell_user(
            client,
            flag_recorded_message(flag),
            user_id=user_id,
            response_url=origin.response_url,
            replace_original=origin.flag_id is not None,
        )


def message_permalink(client: WebClient, origin: ModalOrigin) -> str | None:
    """The source message's permalink from chat.getPermalink; where the app cannot see the conversation (a
    private channel or DM it is not in), Slack's documented link form built from the workspace's domain."""
    try:
        return client.chat_getPermalink(channel=origin.channel_id, message_ts=origin.message_ts).get("permalink")
    except SlackApiError as error:
        log.info("chat.getPermalink refused", extra={"error": error.response.get("error")})
    if not origin.team_domain:
        return None
    link = f"https://{origin.team_domain}.slack.com/archives/{origin.channel_id}/p{str(origin.message_ts).replace('.', '')}"
    if origin.thread_ts and origin.thread_ts != origin.message_ts:
        link += f"?thread_ts={origin.thread_ts}&cid={origin.channel_id}"
    return link
