"""The Home tab: a button to flag, the user's own flags with Edit/Withdraw, and the workspace's week in counts."""

from __future__ import annotations

from bot.blocks import ids
from bot.blocks.flags import flag_buttons
from bot.blocks.settings import WEEKDAY_NAMES
from bot.blocks.text import BLOCKS_PER_VIEW, context, inert, mrkdwn_section
from bot.domain.home import HomeSummary
from bot.domain.workspace_settings import DigestSchedule

SUMMARY_EXCERPT = 300
STATUS_LABELS = {
    "open": "Open",
    "acknowledged": "Acknowledged",
    "discussed": "Discussed",
    "resolved": "Resolved",
    "not_an_issue": "Not an issue",
}


def home_view(summary: HomeSummary, schedule: DigestSchedule | None = None) -> dict:
    """The Home tab; `schedule` is given only for workspace admins, who see the digest settings."""
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
    if schedule is not None:
        blocks += digest_settings_blocks(schedule)
    return {"type": "home", "blocks": blocks[:BLOCKS_PER_VIEW]}


def digest_settings_blocks(schedule: DigestSchedule) -> list[dict]:
    where = f"<#{schedule.channel_id}>" if schedule.channel_id else "_no channel yet_"
    when = f"{WEEKDAY_NAMES[schedule.weekday]}s at {schedule.hour:02d}:00 ({inert(schedule.timezone, 64)})"
    return [
        {"type": "divider"},
        {"type": "header", "text": {"type": "plain_text", "text": "Weekly digest (admins)"}},
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": f"Posted in {where}, {when}."},
            "accessory": {
                "type": "button",
                "action_id": ids.DIGEST_SETTINGS_ACTION,
                "text": {"type": "plain_text", "text": "Change"},
            },
        },
    ]  # OWN_FLAGS_SHOWN keeps it far below; never past


def week_counts_text(summary: HomeSummary) -> str:
    total = sum(summary.week_counts.values())
    lines = [f"*{total}* flag{'s' if total != 1 else ''} in the last 7 days (names are never shown here)."]
    lines += [f"• {category.label}: *{count}*" for category, count in summary.week_counts.items() if count]
    return "\n".join(lines)
