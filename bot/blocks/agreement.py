"""The working agreement as people see it: a clause's name wherever a flag shows, and the agreement side by side
(`/deadline-flag agreement`, the help, the Home tab). Pure; clause titles and descriptions are user text, escaped.
"""

from __future__ import annotations

from bot.blocks.text import block_text_length, context, fallback, inert, line_sections, mrkdwn_section, plain
from bot.domain.agreement import DESCRIPTION_MAX, NEITHER_LABEL, SIDES, TITLE_MAX, Agreement, Clause, Side

# Escaped, a title or description may grow (& is 5 characters): shown clipped past these.
TITLE_SHOWN = TITLE_MAX + 25
DESCRIPTION_SHOWN = DESCRIPTION_MAX + 30
# The agreement message's block text: far inside Slack's ~12,000 with 40 clauses (descriptions are cut to fit).
AGREEMENT_TEXT_MAX = 9_000


def side_name(side: Side | None) -> str:
    """ "product's side", "tech's side", or "neither side" (`other`)."""
    return side.label.lower() if side else NEITHER_LABEL.lower()


def side_heading(side: Side | None) -> str:
    """mrkdwn: a side's name and what it holds."""
    return f"*{side.label}* · {side.meaning}" if side else f"*{NEITHER_LABEL}*"


def clause_title(clause: Clause, limit: int = TITLE_SHOWN) -> str:
    """mrkdwn: the clause's title, escaped, marked when retired."""
    return inert(clause.title, limit) + ("" if clause.active else " (retired)")


def clause_name(clause: Clause) -> str:
    """mrkdwn, where one flag shows: its clause in bold, and the side it is on (`other` is on none)."""
    return f"*{clause_title(clause)}*" + (f" · {side_name(clause.side)}" if clause.side else "")


def clause_plain_name(clause: Clause) -> str:
    """The same as plain text (fallbacks, the plain-text preview): not escaped, so never for mrkdwn."""
    return clause.title + (f" · {side_name(clause.side)}" if clause.side else "")


def clause_option_text(clause: Clause) -> str:
    return plain(clause.title, TITLE_MAX - len(" (retired)")) + " (retired)" if not clause.active else clause.title


def clause_lines(
    agreement: Agreement, side: Side | None, *, descriptions: bool, description_limit: int = DESCRIPTION_SHOWN
) -> list[str]:
    """One mrkdwn line per active clause of a side: `keyword` *title* (: description)."""
    lines = []
    for clause in agreement.on_side(side):
        line = f"• `{clause.keyword}:` *{clause_title(clause)}*"
        if descriptions and clause.description:
            line += f": {inert(clause.description, description_limit)}"
        lines.append(line)
    return lines


def agreement_blocks(agreement: Agreement, *, descriptions: bool = True, budget: int = AGREEMENT_TEXT_MAX) -> list[dict]:
    """The agreement, side by side: a heading and the clauses of each side (then `other`), in as few sections as fit.
    Descriptions are cut shorter, evenly, when the whole would pass `budget` characters of block text."""
    limit = DESCRIPTION_SHOWN
    while True:
        blocks: list[dict] = []
        for side in (*SIDES, None):
            lines = clause_lines(agreement, side, descriptions=descriptions, description_limit=limit)
            if lines:
                blocks += line_sections([side_heading(side), *lines])
        if not descriptions or limit <= 20 or block_text_length(blocks) <= budget:
            return blocks
        limit -= 20


def agreement_message(agreement: Agreement) -> dict:
    """`/deadline-flag agreement`: the workspace's agreement, both sides, for the person who asked."""
    intro = (
        ":handshake: *Our working agreement*: what product and tech agreed to, each side's part in it. "
        "When a clause is not kept, flag it: `/deadline-flag keyword: what happened`."
    )
    blocks = [mrkdwn_section(intro), *agreement_blocks(agreement)]
    note = "Workspace admins, owners and leads change it on the app's Home tab."
    if agreement.retired:
        retired = ", ".join(f"`{c.keyword}`" for c in agreement.retired)
        note += f" Retired (kept with their flags, offered for no new one): {inert(retired, 1500)}."
    blocks.append(context(note))
    return {"text": fallback("Our working agreement, both sides"), "blocks": blocks}
