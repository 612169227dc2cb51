from __future__ import annotations

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.blocks import ids
from bot.blocks.origin import ModalOrigin
from bot.blocks.outcomes import read_verdict
from bot.domain.constraint_reviews import Verdict
from bot.domain.errors import StorageUnavailable, storage_errors
from bot.flows.outcomes import record_constraint_review
from bot.flows.replies import tell_not_done
from bot.slack.deps import Deps, deps


def handle_constraint_review_submission(ack: Ack, view: dict, context: BoltContext, client: WebClient) -> None:
    """A lead said whether a flag's claimed constraint is real."""
    verdict = read_verdict(view)
    if verdict is None:  # the radio buttons are required: only a hand-made payload gets here
        ack(response_action="errors", errors={ids.VERDICT_BLOCK: "Pick confirmed or not confirmed."})
        return
    ack()
    origin = ModalOrigin.from_metadata(view.get("private_metadata"))
    if origin.flag_number is None or not context.team_id or not context.user_id:
        return
    deps(context).after_ack(
        review_after_ack, client, deps(context), context.team_id, context.user_id, origin.flag_number, verdict, origin
    )


def review_after_ack(
    client: WebClient, app_deps: Deps, team_id: str, user_id: str, flag_number: int, verdict: Verdict, origin: ModalOrigin
) -> None:
    # The lead is checked again on submit: the form proves nothing about who submits it now.
    try:
        with storage_errors():
            record_constraint_review(
                client, app_deps, team_id=team_id, user_id=user_id, flag_number=flag_number, verdict=verdict, origin=origin
            )
    except StorageUnavailable:
        what = f"The constraint review of flag #{flag_number} was not saved"
        tell_not_done(app_deps, client, what, team_id=team_id, user_id=user_id, response_url=origin.response_url)
