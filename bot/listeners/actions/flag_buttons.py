"""Buttons on receipts and on the Home tab: flag something, edit a flag, release a held one now, withdraw it."""

from __future__ import annotations

import re

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.blocks.flag_modal import FlagDraft
from bot.blocks.flags import flag_recorded_message, flag_withdrawn_message, refusal_message
from bot.blocks.origin import ModalOrigin
from bot.domain import digest as digests
from bot.domain import flags
from bot.domain.errors import StorageUnavailable, storage_errors
from bot.flows.digest_redraw import redraw_messages
from bot.flows.flag_form import open_flag_form
from bot.flows.home import publish_home
from bot.flows.replies import tell_not_done, tell_user
from bot.slack.deps import deps


def is_from_home(body: dict) -> bool:
    container = body.get("container")
    return isinstance(container, dict) and container.get("type") == "view"


# Our buttons carry str(flag.id): isdigit() alone would pass "²", which int() refuses, and 5,000 digits, which it
# refuses too. An id past the column's range is the domain's FlagNotFound.
_FLAG_ID = re.compile(r"\A[0-9]{1,10}\Z")


def to_flag_id(action: dict) -> int | None:
    value = action.get("value")
    return int(value) if isinstance(value, str) and _FLAG_ID.match(value) else None


def handle_new_flag_action(ack: Ack, body: dict, context: BoltContext, client: WebClient) -> None:
    ack()
    app_deps = deps(context)
    app_deps.open_now(
        open_flag_form,
        client,
        app_deps,
        FlagDraft(),
        ModalOrigin(from_home=True),
        team_id=context.team_id or "",
        trigger_id=body.get("trigger_id"),
        user_id=context.user_id or "",
    )


def handle_edit_flag_action(ack: Ack, body: dict, action: dict, context: BoltContext, client: WebClient) -> None:
    """Open the modal on the reporter's own flag; anyone else is told no, and sees nothing of it."""
    ack()
    app_deps, flag_id = deps(context), to_flag_id(action)
    if flag_id is None:
        return
    try:
        flag = flags.get_own_flag(
            app_deps.db,
            team_id=context.team_id or "",
            flag_id=flag_id,
            reporter_id=context.user_id or "",
            reporter_key=app_deps.reporter_key,
        )
    except (flags.FlagNotFound, flags.NotYourFlag) as refused:
        app_deps.after_ack(
            tell_user,
            client,
            refusal_message(str(refused)),
            user_id=context.user_id or "",
            response_url=body.get("response_url"),
        )
        return
    except StorageUnavailable:
        tell_not_done(
            app_deps,
            client,
            "The form did not open",
            team_id=context.team_id,
            user_id=context.user_id,
            response_url=body.get("response_url"),
        )
        return
    origin = ModalOrigin(flag_id=flag.id, response_url=body.get("response_url"), from_home=is_from_home(body))
    app_deps.open_now(
        open_flag_form,
        client,
        app_deps,
        FlagDraft.of(flag),
        origin,
        team_id=context.team_id or "",
        trigger_id=body.get("trigger_id"),
        user_id=context.user_id or "",
    )


def handle_release_flag_action(ack: Ack, body: dict, action: dict, context: BoltContext, client: WebClient) -> None:
    """ "Release mine now" on a held flag (Slack asked them to confirm first): leads see it at once, alone. Only its
    reporter can; then the receipt or the Home tab they clicked on shows where it stands now."""
    ack()
    app_deps, flag_id = deps(context), to_flag_id(action)
    team_id, user_id = context.team_id or "", context.user_id or ""
    if flag_id is None:
        return
    try:
        flag = flags.release_own_flag(
            app_deps.db,
            team_id=team_id,
            flag_id=flag_id,
            reporter_id=user_id,
            reporter_key=app_deps.reporter_key,
            now=app_deps.clock(),
        )
    except (flags.FlagNotFound, flags.NotYourFlag, flags.AlreadyReleased) as refused:
        app_deps.after_ack(
            tell_user, client, refusal_message(str(refused)), user_id=user_id, response_url=body.get("response_url")
        )
        return
    except StorageUnavailable:
        tell_not_done(
            app_deps,
            client,
            "Your flag was not released",
            team_id=team_id,
            user_id=user_id,
            response_url=body.get("response_url"),
        )
        return
    if is_from_home(body):
        app_deps.after_ack(publish_home, client, app_deps, team_id=team_id, user_id=user_id)
    else:
        app_deps.after_ack(
            tell_user,
            client,
            flag_recorded_message(flag),
            user_id=user_id,
            response_url=body.get("response_url"),
            replace_original=True,
        )


def handle_withdraw_flag_action(ack: Ack, body: dict, action: dict, context: BoltContext, client: WebClient) -> None:
    """Delete the reporter's own flag (Slack asked them to confirm first), then update where they clicked."""
    ack()
    app_deps, flag_id = deps(context), to_flag_id(action)
    team_id, user_id = context.team_id or "", context.user_id or ""
    if flag_id is None:
        return
    try:
        # Read before the delete, which takes the flag's listing rows with it: the digest replies that show it.
        with storage_errors():
            shown_in = digests.messages_listing(app_deps.db, team_id=team_id, flag_id=flag_id)
        number = flags.withdraw_flag(
            app_deps.db, team_id=team_id, flag_id=flag_id, reporter_id=user_id, reporter_key=app_deps.reporter_key
        )
    except (flags.FlagNotFound, flags.NotYourFlag) as refused:
        app_deps.after_ack(
            tell_user, client, refusal_message(str(refused)), user_id=user_id, response_url=body.get("response_url")
        )
        return
    except StorageUnavailable:
        tell_not_done(
            app_deps,
            client,
            "Your flag was not withdrawn",
            team_id=team_id,
            user_id=user_id,
            response_url=body.get("response_url"),
        )
        return
    if shown_in:
        emptied = [digests.redrawn_without(message, flag_id) for message in shown_in]
        app_deps.after_ack(redraw_messages, client, app_deps.people, emptied, team_id=team_id)
    if is_from_home(body):
        app_deps.after_ack(publish_home, client, app_deps, team_id=team_id, user_id=user_id)
    else:
        app_deps.after_ack(
            tell_user,
            client,
            flag_withdrawn_message(number),
            user_id=user_id,
            response_url=body.get("response_url"),
            replace_original=True,
        )
