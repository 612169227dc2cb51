"""The weekly digest as a Block Kit message. Pure: the Digest and a map of display names in, a message out.

A digest is a summary message and, in its thread, replies listing the period's flags (the first
LISTED_FLAGS_MAX), because Slack refuses a message whose blocks hold more than about 12,000 characters of text
(msg_blocks_too_long) and a busy week's flags hold far more. Every message stays within FLAG_REPLY_TEXT_MAX.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.blocks import ids
from bot.blocks.agreement import clause_name, clause_title, side_heading, side_name
from bot.blocks.learnings import digest_learnings_mrkdwn
from bot.blocks.outcomes import status_menu, verdict_note
from bot.blocks.text import (
    BLOCKS_PER_MESSAGE,
    HEADER_TEXT_MAX,
    block_text_length,
    context,
    fallback,
    inert,
    line_sections,
    mrkdwn_section,
    plain,
    quoted,
)
from bot.domain.digest import Digest, SideCount
from bot.domain.flags import RecordedFlag
from bot.domain.outcomes import OutcomeSummary, Status

EXCERPT_MAX = 400
# Block text per message: Slack refuses past about 12,000 (msg_blocks_too_long, observed); the margin is on purpose.
FLAG_REPLY_TEXT_MAX = 10_000
REPLY_HEADING_RESERVE = 400  # the reply's heading and a "withdrawn" note
# A flag's section may grow by its status label, a reason of up to 200 characters and a lead's constraint verdict.
REDRAW_RESERVE = 290
SPARK = "▁▂▃▄▅▆▇█"
# Only links of the form Slack gives (or that we build from it) are rendered; anything else is left out.
_PERMALINK = re.compile(r"^https://[A-Za-z0-9.-]+\.slack\.com/archives/[A-Z0-9]+/p\d+(\?thread_ts=\d+\.\d+&cid=[A-Z0-9]+)?$")


def sparkline(values: tuple[int, ...], top: int) -> str:
    """Eight weeks in eight characters; `top` is shared by all sides so their shapes compare."""
    if top <= 0:
        return SPARK[0] * len(values)
    return "".join(SPARK[0] if v == 0 else SPARK[max(1, round(v / top * (len(SPARK) - 1)))] for v in values)


def change(count: int, previous: int) -> str:
    if count == previous:
        return "no change"
    return f"▲{count - previous}" if count > previous else f"▼{previous - count}"


@dataclass(frozen=True)
class DigestPost:
    """One message of a digest, and the flags it lists (none for the summary)."""

    message: dict
    flags: tuple[RecordedFlag, ...] = ()
    part: int = 0  # 0: the summary; its thread's replies from 1


def digest_posts(digest: Digest, names: Mapping[str, str] | None = None) -> list[DigestPost]:
    """The whole digest, in posting order: the summary, then the replies in its thread.
    `names` maps user ids to display names (so nobody is pinged)."""
    return [DigestPost(digest_summary_message(digest)), *thread_replies(digest.period.label, digest.flags, names or {})]


def thread_replies(
    period_label: str, flags: Sequence[RecordedFlag], names: Mapping[str, str], *, posted: int = 0
) -> list[DigestPost]:
    """The replies listing `flags` in the summary's thread, numbered on from the `posted` replies already in it (a
    run that stopped mid-thread is finished with the flags it had not listed yet)."""
    packs = pack_flags(flags, names)
    return [
        DigestPost(flags_reply_message(period_label, part, posted + len(packs), pack, names), pack, part)
        for part, pack in enumerate(packs, start=posted + 1)
    ]


def side_lines(side: SideCount, top: int) -> list[str]:
    """mrkdwn: a side's total, change and trend, then each of its clauses' counts (`other` is one line)."""
    change_text = change(side.count, side.previous)
    if side.side is None:
        return [
            f"`{sparkline(side.trend, top)}`  *{clause_title(c.clause)}* ({side_name(None)}): {c.count} ({change_text})"
            for c in side.clauses
        ]
    lines = [f"`{sparkline(side.trend, top)}`  {side_heading(side.side)}: *{side.count}* ({change_text})"]
    lines += [f"• {clause_title(c.clause)}: {c.count} ({change(c.count, c.previous)})" for c in side.clauses]
    return lines


def digest_summary_message(digest: Digest) -> dict:
    """The digest's first message: counts per clause under each side, each side's total, change and trend, and what
    happened next. Its thread lists the flags."""
    total = digest.total
    top = max((max(s.trend) for s in digest.sides), default=0)
    summary = (
        f"*{total} flag{'s' if total != 1 else ''}* in this period "
        f"({change(total, digest.previous_total)} on the period before)."
        if total
        else "*No flags* in this period. Quiet weeks are good news, or a sign nobody is flagging."
    )
    blocks: list[dict] = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": plain(f"deadline-flag · {digest.period.label}", HEADER_TEXT_MAX)},
        },
        mrkdwn_section(summary),
        *(section for side in digest.sides for section in line_sections(side_lines(side, top))),
        context("Trend: each side's last 8 periods, oldest first. Reporters are anonymous unless they chose to be named."),
    ]
    if digest.held is not None and (held := digest.held.sentence):
        blocks.append(context(held))
    if digest.outcomes is not None:
        blocks.append(mrkdwn_section(outcomes_text(digest.outcomes)))
    if digest.learnings is not None:
        blocks.append(mrkdwn_section(digest_learnings_mrkdwn(digest.learnings)))
    if listing := listing_note(digest):
        blocks.append(context(listing))
    by_side = ", ".join(f"{side_name(s.side)} {s.count}" for s in digest.sides if s.count)
    text = f"deadline-flag digest, {digest.period.label}: {total} flags" + (f" ({by_side})" if by_side else "")
    return {"text": fallback(text), "blocks": blocks}


def digest_unposted_message(iso_week: str, failure: str) -> dict:
    """The DM to the admin who chose the digest channel, once, when a week's digest cannot be posted there."""
    text = f":warning: The deadline-flag digest for {iso_week} was not posted. {failure}"
    return {
        "text": fallback(f"The deadline-flag digest for {iso_week} was not posted."),
        "blocks": [
            mrkdwn_section(text),
            context("It is tried again as soon as the digest settings change (Home tab), or next week."),
        ],
    }


def digest_unsure_message(iso_week: str, failure: str) -> dict:
    """The DM to the admin who chose the digest channel, once, when the app cannot know whether the week's summary
    reached Slack (it lost Slack's answer, or stopped while posting); `failure` is unsure_failure's sentence."""
    text = f":warning: The deadline-flag digest for {iso_week} may not have been posted. {failure}"
    return {
        "text": fallback(f"The deadline-flag digest for {iso_week} may not have been posted."),
        "blocks": [
            mrkdwn_section(text),
            context("It is never posted again by itself, so that it cannot appear twice."),
        ],
    }


def unsure_failure(channel_id: str) -> str:
    """What an admin can do about a week whose summary may or may not be in the channel (kept for the Home tab)."""
    return (
        f"The app lost Slack's answer while posting it in <#{channel_id}>. If it is not there, an operator can post "
        "it with `python -m bot digest send --force`."
    )


def listing_note(digest: Digest) -> str | None:
    """Where the flags are: in the thread, all of them or the first LISTED_FLAGS_MAX."""
    if not digest.flags:
        return None
    if digest.unlisted <= 0:
        return f"The {len(digest.flags)} flag{'s' if len(digest.flags) != 1 else ''} of this period are in the thread."
    return (
        f"The first {len(digest.flags)} flags of this period are in the thread; {digest.unlisted:,} more are in the "
        "CSV (Download CSV on the Home tab)."
    )


def pack_flags(flags: Sequence[RecordedFlag], names: Mapping[str, str]) -> list[tuple[RecordedFlag, ...]]:
    """The flags in thread replies, in order, each reply within FLAG_REPLY_TEXT_MAX characters of block text and
    Slack's 50 blocks, with room for every flag's status to be redrawn (REDRAW_RESERVE) without passing the limit."""
    parts: list[tuple[RecordedFlag, ...]] = []
    current: list[RecordedFlag] = []
    size = REPLY_HEADING_RESERVE
    for flag in flags:
        cost = block_text_length([flag_section(flag, names)]) + REDRAW_RESERVE
        if current and (size + cost > FLAG_REPLY_TEXT_MAX or len(current) + 2 > BLOCKS_PER_MESSAGE):
            parts.append(tuple(current))
            current, size = [], REPLY_HEADING_RESERVE
        current.append(flag)
        size += cost
    if current:
        parts.append(tuple(current))
    return parts


def flags_reply_message(
    period_label: str, part: int, parts: int, flags: Sequence[RecordedFlag], names: Mapping[str, str], *, withdrawn: int = 0
) -> dict:
    """One thread reply of a digest: a heading, then each flag with the leads' status menu. `withdrawn`: flags this
    message listed whose reporters have withdrawn them since (they are gone from it, and it says so)."""
    heading = f"deadline-flag · {period_label} · flags, part {part} of {parts}"
    blocks: list[dict] = [context(inert(heading, 200))]
    blocks += [flag_section(flag, names) for flag in flags]
    if withdrawn == 1:
        blocks.append(context("1 flag listed here was withdrawn by its reporter."))
    elif withdrawn > 1:
        blocks.append(context(f"{withdrawn} flags listed here were withdrawn by their reporters."))
    return {"text": fallback(f"{heading}: {len(flags)} flag{'s' if len(flags) != 1 else ''}"), "blocks": blocks}


def flag_section(flag: RecordedFlag, names: Mapping[str, str]) -> dict:
    source = [inert(flag.source_text, 200)] if flag.source_text else []
    if flag.source_user_id:
        source.append(inert(names.get(flag.source_user_id, "a teammate"), 80))
    details = [f"From: {' · '.join(source)}" if source else "From: not given"]
    if flag.date_demanded:
        details.append(f"Date demanded: {flag.date_demanded:%a %d %b %Y}")
    details.append(
        f"Real constraint claimed: {inert(flag.external_constraint, 200)}{verdict_note(flag.constraint_verdict)}"
        if flag.external_constraint
        else "No real constraint known"
    )
    reporter = inert(names.get(flag.reporter_user_id, "a teammate"), 80) if flag.reporter_user_id else "anonymous"
    status = Status(flag.status)
    # The day it was released, not written: a held batch's writing days would say who wrote first.
    footer = [
        f"*{status.label}*" + (f" ({inert(flag.status_reason, 200)})" if flag.status_reason else ""),
        f"Flagged by {reporter}, shown {(flag.released_at or flag.created_at):%d %b}",
    ]
    if flag.permalink and _PERMALINK.match(flag.permalink):
        footer.append(f"<{flag.permalink.replace('&', '&amp;')}|original message>")
    headline = f"{clause_name(flag.clause)} · #{flag.number}"
    text = "\n".join([headline, quoted(flag.summary, EXCERPT_MAX), " · ".join(details), " · ".join(footer)])
    # The status menu is for leads; anyone else who opens it is told so. block_id: redrawn in place on a change.
    return {
        **mrkdwn_section(text, block_id=f"{ids.FLAG_BLOCK_PREFIX}{flag.number}"),
        "accessory": status_menu(flag.number, flag.status, has_claim=bool(flag.external_constraint)),
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
