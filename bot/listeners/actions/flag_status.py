from __future__ import annotations

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.blocks.origin import clicked_in
from bot.blocks.outcomes import constraint_review_modal, not_an_issue_modal, to_constraint_review_choice, to_status_choice
from bot.domain.outcomes import Status
from bot.flows.outcomes import record_status
from bot.flows.replies import open_modal
from bot.slack.deps import deps


def handle_flag_status_action(ack: Ack, body: dict, action: dict, context: BoltContext, client: WebClient) -> None:
    """A lead picked a status from a flag's menu, in the digest or on the Home tab."""
    ack()
    option = action.get("selected_option")
    value = option.get("value") if isinstance(option, dict) else None
    if not isinstance(value, str) or not context.team_id or not context.user_id:
        return
    app_deps = deps(context)
    review_of = to_constraint_review_choice(value)
    if review_of is not None:
        # The review form opens at once (the trigger_id lives 3 seconds); who may submit it is checked on submit.
        origin = clicked_in(body, flag_number=review_of)
        app_deps.open_now(
            open_modal,
            client,
            constraint_review_modal(origin),
            trigger_id=body.get("trigger_id"),
            user_id=context.user_id,
            response_url=origin.response_url,
        )
        return
    choice = to_status_choice(value)
    if choice is None:
        return
    origin = clicked_in(body, flag_number=choice[0])
    flag_number, status = choice
    if status is Status.NOT_AN_ISSUE:
        # First ask why, in a form the trigger_id (3 seconds) opens at once; who may submit it is checked on submit.
        view = not_an_issue_modal(origin)
        app_deps.open_now(
            open_modal,
            client,
            view,
            trigger_id=body.get("trigger_id"),
            user_id=context.user_id,
            response_url=origin.response_url,
        )
        return
    # users.info (is this an admin?) waits on Slack: after the ack.
    app_deps.after_ack(
        record_status,
        client,
        app_deps,
        team_id=context.team_id,
        user_id=context.user_id,
        flag_number=flag_number,
        status=status,
        reason=None,
        origin=origin,
    )
