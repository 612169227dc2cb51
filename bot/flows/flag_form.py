"""Opening the flag form, from the command, the message shortcut or the Home tab: with the clauses of the
workspace's agreement, read just before (the form opens within its trigger's 3 seconds)."""

from __future__ import annotations

import logging

from slack_sdk import WebClient

from bot.blocks.flag_modal import FlagDraft, flag_modal
from bot.blocks.origin import ModalOrigin
from bot.domain.agreement import agreement_of, default_agreement
from bot.domain.errors import StorageUnavailable
from bot.flows.replies import open_modal
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
