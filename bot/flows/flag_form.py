"""The flag form's flow: opening it, from the command, the message shortcut or the Home tab, with the clauses of
the workspace's agreement read just before (the form opens within its trigger's 3 seconds); and, once a flag it
sent is stored, what follows the ack: the source message's link, the receipt, the Home tab."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks.flag_modal import FlagDraft, flag_modal
from bot.blocks.flags import flag_recorded_message
from bot.blocks.origin import ModalOrigin
from bot.domain import flags
from bot.domain.agreement import agreement_of, default_agreement
from bot.domain.errors import StorageUnavailable
from bot.flows.home import publish_home
from bot.flows.replies import open_modal, tell_user
from bot.slack.deps import Deps

log = logging.getLogger(__name__)


def open_flag_form(
    client: WebClient,
    app_deps: Deps,
    draft: FlagDraft,
    origin: ModalOrigin,
    *,
    team_id: str,
    user_id: str,
    trigger_id: str | None,
) -> None:
    """Open the flag form on `draft`, straight after the ack, on the pool kept for triggers (a trigger_id lives 3
    seconds), with the workspace's clauses. With the database away it still opens, on the default agreement, so
    nothing the reporter types is lost: saving it says it was not saved and keeps the form open."""

    def open_the_form() -> None:
        try:
            agreement = agreement_of(app_deps.db, team_id=team_id)
        except StorageUnavailable:
            log.warning("agreement not read for the flag form: default clauses offered", extra={"team_id": team_id})
            agreement = default_agreement(team_id)
        view = flag_modal(draft, origin, agreement)
        open_modal(client, view, trigger_id=trigger_id, user_id=user_id, response_url=origin.response_url)

    app_deps.open_now(open_the_form)


def finish_flag_form(client: WebClient, app_deps: Deps, flag: flags.RecordedFlag, origin: ModalOrigin, user_id: str) -> None:
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
