"""The weekly digest as a Block Kit message. Pure: the Digest and a map of display names in, a message out.

It stays inside Slack's limits at any volume (50 blocks, 3000 characters a section, 150 a header): past
LISTED_FLAGS_MAX it lists the first flags and says how many more there are.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from bot.blocks import ids
from bot.blocks.outcomes import status_menu
from bot.blocks.text import BLOCKS_PER_MESSAGE, HEADER_TEXT_MAX, context, fallback, inert, mrkdwn_section, plain, quoted
from bot.domain.digest import Digest
from bot.domain.flags import RecordedFlag
from bot.domain.outcomes import OutcomeSummary, Status

EXCERPT_MAX = 400
SPARK = "▁▂▃▄▅▆▇█"
# Only links of the form Slack gives (or that we build from it) are rendered; anything else is left out.
_PERMALINK = re.compile(r"^https://[A-Za-z0-9.-]+\.slack\.com/archives/[A-Z0-9]+/p\d+(\?thread_ts=\d+\.\d+&cid=[A-Z0-9]+)?$")


def sparkline(values: tuple[int, ...], top: int) -> str:
    """Eight weeks in eight characters; `top` is shared by all categories so their shapes compare."""
    if top <= 0:
        return SPARK[0] * len(values)
    return "".join(SPARK[0] if v == 0 else SPARK[max(1, round(v / top * (len(SPARK) - 1)))] for v in values)


def change(count: int, previous: int) -> str:
    if count == previous:
        return "no change"
    return f"▲{count - previous}" if count > previous else f"▼{previous - count}"


def digest_message(digest: Digest, names: Mapping[str, str] | None = None) -> dict:
    """The message posted to the leads' channel; `names` maps user ids to display names (so nobody is pinged)."""
    names = names or {}
    total = digest.total
    top = max((max(c.trend) for c in digest.counts), default=0)
    summary = (
        f"*{total} flag{'s' if total != 1 else ''}* in this period "
        f"({change(total, digest.previous_total)} on the period before)."
        if total
        else "*No flags* in this period. Quiet weeks are good news, or a sign nobody is flagging."
    )
    count_lines = [
        f"`{sparkline(c.trend, top)}`  *{c.category.label}*: {c.count} ({change(c.count, c.previous)})"
        for c in digest.counts
    ]
    blocks: list[dict] = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": plain(f"deadline-flag · {digest.period.label}", HEADER_TEXT_MAX)},
        },
        mrkdwn_section(summary),
        mrkdwn_section("\n".join(count_lines)),
        context("Trend: the last 8 periods, oldest first. Reporters are anonymous unless they chose to be named."),
    ]
    if digest.outcomes is not None:
        blocks.append(mrkdwn_section(outcomes_text(digest.outcomes)))
    if digest.flags:
        blocks.append({"type": "divider"})
        blocks += [flag_section(flag, names) for flag in digest.flags]
    if digest.unlisted > 0:
        blocks.append(context(f"…and {digest.unlisted:,} more flag{'s' if digest.unlisted != 1 else ''} in this period."))
    by_category = ", ".join(f"{c.category.label} {c.count}" for c in digest.counts if c.count)
    text = f"deadline-flag digest, {digest.period.label}: {total} flags" + (f" ({by_category})" if by_category else "")
    return {"text": fallback(text), "blocks": blocks[:BLOCKS_PER_MESSAGE]}


def flag_section(flag: RecordedFlag, names: Mapping[str, str]) -> dict:
    source = [inert(flag.source_text, 200)] if flag.source_text else []
    if flag.source_user_id:
        source.append(inert(names.get(flag.source_user_id, "a teammate"), 80))
    details = [f"From: {' · '.join(source)}" if source else "From: not given"]
    if flag.date_demanded:
        details.append(f"Date demanded: {flag.date_demanded:%a %d %b %Y}")
    details.append(
        f"Real constraint claimed: {inert(flag.external_constraint, 200)}"
        if flag.external_constraint
        else "No real constraint known"
    )
    reporter = inert(names.get(flag.reporter_user_id, "a teammate"), 80) if flag.reporter_user_id else "anonymous"
    status = Status(flag.status)
    footer = [
        f"*{status.label}*" + (f" ({inert(flag.status_reason, 200)})" if flag.status_reason else ""),
        f"Flagged by {reporter} on {flag.created_at:%d %b}",
    ]
    if flag.permalink and _PERMALINK.match(flag.permalink):
        footer.append(f"<{flag.permalink.replace('&', '&amp;')}|original message>")
    text = "\n".join(
        [f"*{flag.category.label}* · #{flag.id}", quoted(flag.summary, EXCERPT_MAX), " · ".join(details), " · ".join(footer)]
    )
    # The status menu is for leads; anyone else who opens it is told so. block_id: redrawn in place on a change.
    return {
        **mrkdwn_section(text, block_id=f"{ids.FLAG_BLOCK_PREFIX}{flag.id}"),
        "accessory": status_menu(flag.id, flag.status),
    }


def outcomes_text(outcomes: OutcomeSummary) -> str:
    median = (
        f"{outcomes.median_days_to_resolution:.1f} days"
        if outcomes.median_days_to_resolution is not None
        else "no resolutions yet"
    )
    return (
        f"*What happened next:* {outcomes.resolved_in_period} resolved or closed in this period · "
        f"{outcomes.open_now} still open · {outcomes.open_over_four_weeks} open for more than 4 weeks · "
        f"median time to resolution over 8 weeks: {median}"
    )


def replace_flag_block(blocks: list[dict], flag_block: dict) -> list[dict]:
    """The digest's blocks with one flag's section swapped for its redrawn version (chat.update in place)."""
    return [flag_block if block.get("block_id") == flag_block["block_id"] else block for block in blocks]
