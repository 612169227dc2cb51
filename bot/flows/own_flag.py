"""A reporter's buttons on their own flag, on its receipt or on Home: edit it, release it now, withdraw it. Each is
theirs alone: anyone else is told no and learns nothing of the flag. After a change, where they clicked shows
where the flag stands now."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TypeVar

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
from bot.slack.deps import Deps

T = TypeVar("T")

REFUSED = (flags.FlagNotFound, flags.NotYourFlag, flags.AlreadyReleased)  # said as they are; nothing of the flag


def edit_own_flag(
    client: WebClient,
    app_deps: Deps,
    origin: ModalOrigin,
    *,
    flag_id: int,
    team_id: str,
    user_id: str,
    trigger_id: str | None,
) -> None:
    """Open the flag form on the reporter's own flag, as they left it."""
    flag = _attempt(
        client,
        app_deps,
        origin,
        lambda: flags.get_own_flag(
            app_deps.db, team_id=team_id, flag_id=flag_id, reporter_id=user_id, reporter_key=app_deps.reporter_key
        ),
        not_done="The form did not open",
        team_id=team_id,
        user_id=user_id,
    )
    if flag is not None:
        draft, origin = FlagDraft.of(flag), replace(origin, flag_id=flag.id)
        open_flag_form(client, app_deps, draft, origin, team_id=team_id, user_id=user_id, trigger_id=trigger_id)


def release_own_flag(
    client: WebClient, app_deps: Deps, origin: ModalOrigin, *, flag_id: int, team_id: str, user_id: str
) -> None:
    """ "Release mine now" on a held flag (Slack asked them to confirm first): leads see it at once, alone."""

    def release() -> flags.RecordedFlag:
        key, now = app_deps.reporter_key, app_deps.clock()
        return flags.release_own_flag(
            app_deps.db, team_id=team_id, flag_id=flag_id, reporter_id=user_id, reporter_key=key, now=now
        )

    flag = _attempt(
        client, app_deps, origin, release, not_done="Your flag was not released", team_id=team_id, user_id=user_id
    )
    if flag is not None:
        _show_where_clicked(client, app_deps, origin, flag_recorded_message(flag), team_id=team_id, user_id=user_id)


def withdraw_own_flag(
    client: WebClient, app_deps: Deps, origin: ModalOrigin, *, flag_id: int, team_id: str, user_id: str
) -> None:
    """Delete the reporter's own flag (Slack asked them to confirm first), and take it out of the digest replies."""

    def withdraw() -> tuple[list[digests.ListingMessage], int]:
        # Read before the delete, which takes the flag's listing rows with it: the digest replies that show it.
        with storage_errors():
            shown_in = digests.messages_listing(app_deps.db, team_id=team_id, flag_id=flag_id)
        key = app_deps.reporter_key
        return shown_in, flags.withdraw_flag(
            app_deps.db, team_id=team_id, flag_id=flag_id, reporter_id=user_id, reporter_key=key
        )

    withdrawn = _attempt(
        client, app_deps, origin, withdraw, not_done="Your flag was not withdrawn", team_id=team_id, user_id=user_id
    )
    if withdrawn is None:
        return
    shown_in, number = withdrawn
    if shown_in:
        emptied = [digests.redrawn_without(message, flag_id) for message in shown_in]
        app_deps.after_ack(redraw_messages, client, app_deps.people, emptied, team_id=team_id)
    _show_where_clicked(client, app_deps, origin, flag_withdrawn_message(number), team_id=team_id, user_id=user_id)


def _attempt(
    client: WebClient,
    app_deps: Deps,
    origin: ModalOrigin,
    work: Callable[[], T],
    *,
    not_done: str,
    team_id: str,
    user_id: str,
) -> T | None:
    """`work()`, or None once the reporter has been told why not: a refusal, or the database away."""
    try:
        return work()
    except REFUSED as refused:
        refusal = refusal_message(str(refused))
        app_deps.after_ack(tell_user, client, refusal, user_id=user_id, response_url=origin.response_url)
    except StorageUnavailable:
        tell_not_done(app_deps, client, not_done, team_id=team_id, user_id=user_id, response_url=origin.response_url)
    return None


def _show_where_clicked(
    client: WebClient, app_deps: Deps, origin: ModalOrigin, receipt: dict, *, team_id: str, user_id: str
) -> None:
    """Home is published again; a receipt is replaced in place by what the change made of it."""
    if origin.from_home:
        app_deps.after_ack(publish_home, client, app_deps, team_id=team_id, user_id=user_id)
    else:
        app_deps.after_ack(
            tell_user, client, receipt, user_id=user_id, response_url=origin.response_url, replace_original=True
        )
