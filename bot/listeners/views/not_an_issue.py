from __future__ import annotations

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.blocks.origin import ModalOrigin
from bot.blocks.outcomes import read_reason
from bot.domain.errors import StorageUnavailable, storage_errors
from bot.domain.outcomes import Status
from bot.flows.outcomes import record_status
from bot.flows.replies import tell_not_done
from bot.slack.deps import Deps, deps


def handle_not_an_issue_submission(ack: Ack, view: dict, context: BoltContext, client: WebClient) -> None:
    ack()
    reason = read_reason(view)
    origin = ModalOrigin.from_metadata(view.get("private_metadata"))
    flag_number = origin.flag_number
    if flag_number is None or not context.team_id or not context.user_id:
        return
    deps(context).after_ack(
        mark_not_an_issue,
        client,
        deps(context),
        context.team_id,
        context.user_id,
        flag_number,
        reason if isinstance(reason, str) else None,
        origin,
    )


def mark_not_an_issue(
    client: WebClient,
    app_deps: Deps,
    team_id: str,
    user_id: str,
    flag_number: int,
    reason: str | None,
    origin: ModalOrigin,
) -> None:
    # The lead is checked again on submit: the modal proves nothing about who submits it now.
    try:
        with storage_errors():
            record_status(
                client,
                app_deps,
                team_id=team_id,
                user_id=user_id,
                flag_number=flag_number,
                status=Status.NOT_AN_ISSUE,
                reason=reason,
                origin=origin,
            )
    except StorageUnavailable:
        # The form closed at the ack: the reason typed comes back in the message instead.
        what = f"Flag #{flag_number} was not marked not an issue"
        tell_not_done(
            app_deps, client, what, team_id=team_id, user_id=user_id, response_url=origin.response_url, kept=reason
        )
