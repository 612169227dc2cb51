"""Changing a flag's outcome, shared by the status menus (digest and Home) and the "not an issue" modal:
check the lead, record the change, redraw where it was made, tell the reporter."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field

from slack_sdk import WebClient

from bot.blocks.digest import digest_message, flag_section, replace_flag_block
from bot.blocks.flag_modal import metadata_object
from bot.blocks.flags import refusal_message
from bot.blocks.outcomes import flag_outcome_message, not_an_issue_modal
from bot.deps import Deps
from bot.digest.send import display_names
from bot.domain import digest as digests
from bot.domain.flags import FlagNotFound
from bot.domain.outcomes import NotALead, Status, change_status, may_change_outcomes
from bot.listeners.replies import is_workspace_admin, publish_home, tell_user

log = logging.getLogger(__name__)
NOT_A_LEAD = "Only workspace admins, owners and the leads list can change a flag's outcome."


@dataclass(frozen=True)
class ChangeOrigin:
    """Where a lead asked for the change, so that place can be redrawn."""

    channel_id: str | None = None  # the digest message's channel and ts
    message_ts: str | None = None
    from_home: bool = False
    response_url: str | None = None
    message_blocks: list[dict] | None = field(default=None, compare=False)  # not carried into a modal
    message_text: str = ""

    def to_metadata(self) -> dict:
        values = asdict(self)
        values.pop("message_blocks")
        values.pop("message_text")
        return {k: v for k, v in values.items() if v not in (None, False)}

    @classmethod
    def from_metadata(cls, metadata: object) -> tuple[int | None, ChangeOrigin]:
        values = metadata_object(metadata)
        flag_id = values.get("flag_id")
        texts = {k: v for k in ("channel_id", "message_ts", "response_url") if isinstance(v := values.get(k), str) and v}
        origin = cls(**texts, from_home=values.get("from_home") is True)
        return (flag_id if type(flag_id) is int and 0 < flag_id < 2**31 else None), origin


def choose_status(
    client: WebClient,
    app_deps: Deps,
    *,
    team_id: str,
    user_id: str,
    flag_id: int,
    status: Status,
    origin: ChangeOrigin,
    trigger_id: str | None,
) -> None:
    """A status picked from a menu: "not an issue" first asks why; the others apply at once."""
    actor_is_admin = is_workspace_admin(client, user_id)
    if not may_change_outcomes(app_deps.db, team_id=team_id, user_id=user_id, actor_is_admin=actor_is_admin):
        tell_user(client, refusal_message(NOT_A_LEAD), user_id=user_id, response_url=origin.response_url)
        return
    if status is Status.NOT_AN_ISSUE:
        client.views_open(trigger_id=trigger_id, view=not_an_issue_modal(flag_id, origin.to_metadata()))
        return
    record_status(
        client,
        app_deps,
        team_id=team_id,
        user_id=user_id,
        flag_id=flag_id,
        status=status,
        reason=None,
        origin=origin,
        actor_is_admin=actor_is_admin,
    )


def record_status(
    client: WebClient,
    app_deps: Deps,
    *,
    team_id: str,
    user_id: str,
    flag_id: int,
    status: Status,
    reason: str | None,
    origin: ChangeOrigin,
    actor_is_admin: bool,
) -> None:
    try:
        change = change_status(
            app_deps.db,
            team_id=team_id,
            flag_id=flag_id,
            to_status=status,
            changed_by=user_id,
            actor_is_admin=actor_is_admin,
            reporter_key=app_deps.reporter_key,
            now=app_deps.clock(),
            reason=reason,
        )
    except (FlagNotFound, NotALead) as refused:
        tell_user(client, refusal_message(str(refused)), user_id=user_id, response_url=origin.response_url)
        return
    if not change.changed:  # a double click or a retried request: nothing to redraw or announce
        return
    log.info("flag status changed", extra={"team_id": team_id, "flag_id": flag_id, "to": status.value})
    redraw(client, app_deps, team_id=team_id, user_id=user_id, flag_id=flag_id, origin=origin, actor_is_admin=actor_is_admin)
    if change.notify_user_id:
        client.chat_postMessage(channel=change.notify_user_id, **flag_outcome_message(change.flag))


def redraw(
    client: WebClient,
    app_deps: Deps,
    *,
    team_id: str,
    user_id: str,
    flag_id: int,
    origin: ChangeOrigin,
    actor_is_admin: bool,
) -> None:
    if origin.from_home:
        publish_home(client, app_deps, team_id=team_id, user_id=user_id, is_admin=actor_is_admin)
        return
    if not (origin.channel_id and origin.message_ts):
        return
    if origin.message_blocks:
        # The click carried the message: swap the one flag's section (names for that flag only).
        flag = digests.get_digest_flag(app_deps.db, team_id=team_id, flag_id=flag_id)
        if flag is None:
            return
        block = flag_section(flag, display_names(client, [flag]))
        blocks = replace_flag_block(origin.message_blocks, block)
        client.chat_update(channel=origin.channel_id, ts=origin.message_ts, text=origin.message_text, blocks=blocks)
        return
    # From the modal, no message in hand: rebuild the digest for the period its run recorded.
    digest = digests.posted_digest(app_deps.db, team_id=team_id, channel_id=origin.channel_id, message_ts=origin.message_ts)
    if digest is not None:
        client.chat_update(
            channel=origin.channel_id, ts=origin.message_ts, **digest_message(digest, display_names(client, digest.flags))
        )
