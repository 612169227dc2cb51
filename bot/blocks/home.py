"""The Home tab: a button to flag, the user's own flags with Edit/Withdraw, and the workspace's week in counts."""

from __future__ import annotations

from bot.blocks import ids
from bot.blocks.flags import flag_buttons
from bot.blocks.text import BLOCKS_PER_VIEW, context, inert, mrkdwn_section
from bot.domain.home import HomeSummary

SUMMARY_EXCERPT = 300
STATUS_LABELS = {
    "open": "Open",
    "acknowledged": "Acknowledged",
    "discussed": "Discussed",
    "resolved": "Resolved",
    "not_an_issue": "Not an issue",
}


def home_view(summary: HomeSummary) -> dict:
    blocks: list[dict] = [
        {"type": "header", "text": {"type": "plain_text", "text": "deadline-flag"}},
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": "Flag an artificial deadline or a feature handed over instead of a problem. "
                "You stay anonymous unless you choose to be named.",
            },
            "accessory": {
                "type": "button",
                "action_id": ids.NEW_FLAG_ACTION,
                "text": {"type": "plain_text", "text": "Flag something"},
                "style": "primary",
            },
        },
        {"type": "divider"},
        {"type": "header", "text": {"type": "plain_text", "text": "This week in your workspace"}},
        mrkdwn_section(week_counts_text(summary)),
        {"type": "divider"},
        {"type": "header", "text": {"type": "plain_text", "text": "Your flags"}},
    ]
    if not summary.own_flags:
        blocks.append(context("You have not flagged anything yet. Only you can see this list."))
    for flag in summary.own_flags:
        line = (
            f"*{flag.category.label}* · {STATUS_LABELS.get(flag.status, flag.status)} · "
            f"{flag.created_at:%d %b %Y} · #{flag.id}\n{inert(flag.summary, SUMMARY_EXCERPT)}"
        )
        blocks += [mrkdwn_section(line), {"type": "actions", "elements": flag_buttons(flag.id)}]
    hidden = summary.own_total - len(summary.own_flags)
    if hidden > 0:
        blocks.append(context(f"{hidden:,} more not shown: the newest {len(summary.own_flags)} are above."))
    return {"type": "home", "blocks": blocks[:BLOCKS_PER_VIEW]}  # OWN_FLAGS_SHOWN keeps it far below; never past


def week_counts_text(summary: HomeSummary) -> str:
    total = sum(summary.week_counts.values())
    lines = [f"*{total}* flag{'s' if total != 1 else ''} in the last 7 days (names are never shown here)."]
    lines += [f"• {category.label}: *{count}*" for category, count in summary.week_counts.items() if count]
    return "\n".join(lines)
