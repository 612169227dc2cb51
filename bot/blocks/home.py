"""The Home tab: a button to flag, the workspace's agreement (and, for its editors, the controls to change it), the
week in counts by side, where held flags are one number, and the user's own flags (each held or visible to leads)
with Edit, Release mine now and Withdraw."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.blocks import ids
from bot.blocks.agreement import agreement_blocks, clause_name
from bot.blocks.fields import option
from bot.blocks.flags import flag_buttons
from bot.blocks.outcomes import status_menu
from bot.blocks.settings import WEEKDAY_NAMES
from bot.blocks.text import BLOCKS_PER_VIEW, PLAIN_OPTION_MAX, context, inert, mrkdwn_section, plain
from bot.domain.agreement import NEITHER_LABEL, SIDES, Agreement
from bot.domain.digest import WeekFailure
from bot.domain.flags import RecordedFlag
from bot.domain.holding import DEFAULT_MIN_REPORTERS
from bot.domain.home import HomeSummary
from bot.domain.outcomes import Status
from bot.domain.workspace_settings import DigestSchedule

SUMMARY_EXCERPT = 300


LEAD_FLAGS_SHOWN = 15
_LINKABLE = re.compile(r"\Ahttps?://[^\s<>|]+\Z")  # an operator's APP_URL, but never one that breaks the mrkdwn link


@dataclass(frozen=True)
class MissingScopes:
    """Scopes the app now needs that this workspace's installation was not granted."""

    scopes: Sequence[str]
    reinstall_url: str | None = None  # APP_URL's /slack/install, when the deployment says where it is


def missing_scopes_blocks(notice: MissingScopes) -> list[dict]:
    names = ", ".join(f"`{scope}`" for scope in notice.scopes)
    if notice.reinstall_url and _LINKABLE.match(notice.reinstall_url):
        how = f"<{notice.reinstall_url}|Reinstall the app> and press *Allow*"
    else:
        how = "Reinstall the app (open `/slack/install` on its address) and press *Allow*"
    text = (
        f":warning: *This installation lacks permissions the app now needs* ({names}): the leads' CSV download "
        f"and other features fail without them. {how} to grant them. (Admins only see this.)"
    )
    return [mrkdwn_section(text)]


def home_view(
    summary: HomeSummary,
    schedule: DigestSchedule | None = None,
    open_flags: list[RecordedFlag] | None = None,
    *,
    outcome_dms: bool = True,
    digest_failure: WeekFailure | None = None,
    scopes: MissingScopes | None = None,
    edits_agreement: bool = False,
) -> dict:
    """The Home tab. `schedule` only for admins (digest settings, and `digest_failure`: why this week's digest could
    not be posted), and `scopes` (what their installation lacks); `open_flags` only for leads and admins, and
    `edits_agreement` (the controls to change the agreement) for them too."""
    blocks: list[dict] = [
        {"type": "header", "text": {"type": "plain_text", "text": "deadline-flag"}},
        *(missing_scopes_blocks(scopes) if scopes else []),
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": "Flag a moment when the working agreement between product and tech was not kept, on either "
                "side. You stay anonymous unless you choose to be named.",
            },
            "accessory": {
                "type": "button",
                "action_id": ids.NEW_FLAG_ACTION,
                "text": {"type": "plain_text", "text": "Flag something"},
                "style": "primary",
            },
        },
        *our_agreement_blocks(summary.agreement, editable=edits_agreement),
        {"type": "divider"},
        {"type": "header", "text": {"type": "plain_text", "text": "This week in your workspace"}},
        mrkdwn_section(week_counts_text(summary)),
        {"type": "divider"},
        {"type": "header", "text": {"type": "plain_text", "text": "Your flags"}},
    ]
    if not summary.own_flags:
        blocks.append(context("You have not flagged anything yet. Only you can see this list."))
    for flag in summary.own_flags:
        blocks += [mrkdwn_section(own_flag_line(flag)), {"type": "actions", "elements": flag_buttons(flag)}]
    hidden = summary.own_total - len(summary.own_flags)
    if hidden > 0:
        blocks.append(context(f"{hidden:,} more not shown: the newest {len(summary.own_flags)} are above."))
    blocks.append(outcome_dms_toggle(outcome_dms))
    if open_flags is not None:
        blocks += lead_blocks(open_flags)
    if schedule is not None:
        min_reporters = summary.held.min_reporters if summary.held else DEFAULT_MIN_REPORTERS
        blocks += digest_settings_blocks(schedule, digest_failure, min_reporters=min_reporters)
    return {"type": "home", "blocks": blocks[:BLOCKS_PER_VIEW]}


def own_flag_line(flag: RecordedFlag) -> str:
    """One of the reporter's own flags, and where it stands: held (no number yet) or visible to leads."""
    if flag.held:
        people = flag.held_until or DEFAULT_MIN_REPORTERS
        where = f":lock: held until {people} different people have flagged (leads do not see it yet)"
        head = f"{clause_name(flag.clause)} · {where} · {flag.created_at:%d %b %Y}"
    else:
        status = Status(flag.status).label
        head = (
            f"{clause_name(flag.clause)} · {status} · {flag.created_at:%d %b %Y} · #{flag.number} · :eye: visible to leads"
        )
    return f"{head}\n{inert(flag.summary, SUMMARY_EXCERPT)}"


def outcome_dms_toggle(enabled: bool) -> dict:
    option = {"text": {"type": "plain_text", "text": "DM me when one of my flags is resolved"}, "value": "on"}
    checkboxes: dict = {"type": "checkboxes", "action_id": ids.OUTCOME_DMS_ACTION, "options": [option]}
    if enabled:
        checkboxes["initial_options"] = [option]
    return {"type": "actions", "elements": [checkboxes]}


def lead_blocks(open_flags: list[RecordedFlag]) -> list[dict]:
    """For leads: the workspace's open flags with a status menu each, and the CSV export."""
    blocks: list[dict] = [
        {"type": "divider"},
        {"type": "header", "text": {"type": "plain_text", "text": "Open flags in this workspace (leads)"}},
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "action_id": ids.EXPORT_CSV_ACTION,
                    "text": {"type": "plain_text", "text": "Download CSV"},
                }
            ],
        },
    ]
    if not open_flags:
        blocks.append(context("Nothing open. :tada:"))
    for flag in open_flags[:LEAD_FLAGS_SHOWN]:
        status = Status(flag.status).label
        # The day it was released: when a held batch was written would say who wrote first.
        shown = flag.released_at or flag.created_at
        line = f"{clause_name(flag.clause)} · {status} · {shown:%d %b %Y} · #{flag.number}\n"
        line += inert(flag.summary, 200)
        menu = status_menu(flag.number, flag.status, has_claim=bool(flag.external_constraint))
        blocks.append({**mrkdwn_section(line), "accessory": menu})
    return blocks


def digest_settings_blocks(
    schedule: DigestSchedule, failure: WeekFailure | None = None, *, min_reporters: int = DEFAULT_MIN_REPORTERS
) -> list[dict]:
    where = f"<#{schedule.channel_id}>" if schedule.channel_id else "_no channel yet_"
    when = f"{WEEKDAY_NAMES[schedule.weekday]}s at {schedule.hour:02d}:00 ({inert(schedule.timezone, 64)})"
    if min_reporters > 1:
        hold = f"Anonymous flags are shown once {min_reporters} different people have flagged."
    else:
        hold = "Anonymous flags are shown at once (minimum 1: off)."
    headline = "may not have been posted" if failure and failure.unsure else "was not posted"
    notice = [mrkdwn_section(f":warning: *This week's digest {headline}.* {failure.failure}")] if failure else []
    return [
        {"type": "divider"},
        {"type": "header", "text": {"type": "plain_text", "text": "Weekly digest (admins)"}},
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": f"Posted in {where}, {when}. {hold}"},
            "accessory": {
                "type": "button",
                "action_id": ids.DIGEST_SETTINGS_ACTION,
                "text": {"type": "plain_text", "text": "Change"},
            },
        },
        *notice,
    ]  # OWN_FLAGS_SHOWN keeps it far below; never past


def week_counts_text(summary: HomeSummary) -> str:
    """The flags leads may see, released in the last 7 days, by side of the agreement: each side's total, then its
    clauses that were flagged; held flags as one sentence."""
    total = summary.week_total
    lines = [f"*{total}* flag{'s' if total != 1 else ''} in the last 7 days (names are never shown here)."]
    for side in summary.week:
        if side.total:
            flagged = ", ".join(f"{inert(clause.title, 100)} {count}" for clause, count in side.counts if count)
            lines.append(f"• {side.side.label if side.side else NEITHER_LABEL}: *{side.total}* ({flagged})")
    text = "\n".join(lines)[:2600]
    if summary.held and (held := summary.held.sentence):
        text += f"\n_{held}_"
    return text


def our_agreement_blocks(agreement: Agreement, *, editable: bool) -> list[dict]:
    """ "Our agreement", which everyone sees; for admins, owners and leads, a button to add a clause and a select
    to edit, retire or restore one."""
    blocks: list[dict] = [
        {"type": "divider"},
        {"type": "header", "text": {"type": "plain_text", "text": "Our agreement"}},
        context(
            "What product and tech agreed to, each side's part. When a clause is not kept, flag it: "
            "`/deadline-flag keyword: what happened`."
        ),
        *agreement_blocks(agreement),
    ]
    if editable:
        elements: list[dict] = [
            {
                "type": "button",
                "action_id": ids.AGREEMENT_ADD_ACTION,
                "text": {"type": "plain_text", "text": "Add a clause"},
            }
        ]
        if groups := _clause_groups(agreement):
            elements.append(
                {
                    "type": "static_select",
                    "action_id": ids.AGREEMENT_EDIT_ACTION,
                    "placeholder": {"type": "plain_text", "text": "Edit, retire or restore a clause"},
                    "option_groups": groups,
                }
            )
        blocks.append({"type": "actions", "elements": elements})
        if agreement.retired:
            retired = ", ".join(f"`{c.keyword}`" for c in agreement.retired)
            blocks.append(context(f"Retired (kept with their flags): {inert(retired, 1500)}. Pick one above to restore it."))
    return blocks


EDIT_OPTIONS_MAX = 100  # Slack's options in one select, groups together


def _clause_groups(agreement: Agreement) -> list[dict]:
    """The clauses an editor can change, grouped by side, then the retired ones (newest first, as many as fit)."""
    groups = [(f"{side.label} (active)", list(agreement.on_side(side))) for side in SIDES]
    room = EDIT_OPTIONS_MAX - sum(len(clauses) for _, clauses in groups)
    groups.append(("Retired", list(reversed(agreement.retired))[:room]))
    return [
        {
            "label": {"type": "plain_text", "text": label},
            "options": [
                option(plain(c.title, PLAIN_OPTION_MAX), c.keyword, f"{c.keyword} · {c.side.value if c.side else ''}")
                for c in clauses
            ],
        }
        for label, clauses in groups
        if clauses
    ]


def home_unavailable_view() -> dict:
    text = (
        ":warning: deadline-flag cannot reach its database right now, so your flags cannot be shown. "
        "Please try again in a minute."
    )
    return {
        "type": "home",
        "blocks": [{"type": "header", "text": {"type": "plain_text", "text": "deadline-flag"}}, mrkdwn_section(text)],
    }
