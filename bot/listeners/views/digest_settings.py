from __future__ import annotations

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.blocks import ids
from bot.blocks.settings import read_digest_settings
from bot.flows.digest import shared_channel_refusal
from bot.flows.settings import apply_digest_settings
from bot.slack.deps import deps

SHARED_CHECK_TIMEOUT = 1.5  # seconds: the answer to a view submission must leave within Slack's 3


def handle_digest_settings_submission(ack: Ack, view: dict, context: BoltContext, client: WebClient) -> None:
    """Errors beside the fields now; the admin check, the save and joining the channel after the ack."""
    form = read_digest_settings((view.get("state") or {}).get("values") or {})
    # Checked before the ack, beside each field (after it, a refusal would be lost): the domain's one check.
    errors = form.problems()
    if form.channel_id and not errors and not form.allow_shared:
        # A Slack Connect channel would show flag text to another organisation: said beside the field, unless the
        # admin ticked the box. A quick client (no retries), so the answer still leaves within 3 seconds.
        quick = WebClient(token=client.token, base_url=client.base_url, timeout=SHARED_CHECK_TIMEOUT)
        if refusal := shared_channel_refusal(quick, form.channel_id, confirm="tick the box below"):
            errors[ids.DIGEST_CHANNEL_BLOCK] = refusal
    if errors:
        ack(response_action="errors", errors=errors)
        return
    ack()
    deps(context).after_ack(apply_digest_settings, client, deps(context), form, context.team_id or "", context.user_id or "")
