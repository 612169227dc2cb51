"""The digest as plain text, for `python -m bot digest preview` (an operator's terminal, not Slack)."""

from __future__ import annotations

import textwrap

from bot.blocks.agreement import clause_plain_name
from bot.blocks.digest import change, listing_note, pack_flags, sparkline
from bot.blocks.learnings import digest_learnings_text
from bot.blocks.outcomes import verdict_note
from bot.domain.agreement import NEITHER_LABEL, Clause
from bot.domain.digest import Digest, SideCount
from bot.domain.flags import RecordedFlag

EXCERPT_MAX = 160


def digest_plain_text(digest: Digest) -> str:
    """Each side's total, change and trend, with its clauses' counts under it (then `other`), what happened next,
    and the thread."""
    top = max((max(s.trend) for s in digest.sides), default=0)
    rows: list[tuple[str, int, str, str]] = []  # label, count, change, trend
    for side in digest.sides:
        rows.append((_side_title(side), side.count, change(side.count, side.previous), sparkline(side.trend, top)))
        if side.side is not None:
            rows += [("  " + _clause_title(c.clause), c.count, change(c.count, c.previous), "") for c in side.clauses]
    width = max(len(label) for label, *_ in rows)
    lines = [
        f"deadline-flag digest for {digest.team_id}: {digest.period.label}",
        f"{digest.total} flags ({change(digest.total, digest.previous_total)} on the period before)",
        "",
        *(f"{label:<{width}}  {count:>4}  {changed:<10} {trend}".rstrip() for label, count, changed, trend in rows),
        "",
    ]
    if digest.held is not None and (held := digest.held.sentence):
        lines += [held, ""]
    if digest.outcomes is not None:
        o = digest.outcomes
        median = f"{o.median_days_to_resolution:.1f} days" if o.median_days_to_resolution is not None else "none yet"
        lines += [
            f"What happened next: {o.resolved_in_period} resolved or closed, {o.open_now} still open, "
            f"{o.open_over_four_weeks} open > 4 weeks, median time to resolution (8 weeks): {median}",
        ]
    if digest.learnings is not None:
        lines += digest_learnings_text(digest.learnings)
    if digest.outcomes is not None or digest.learnings is not None:
        lines.append("")
    if note := listing_note(digest):
        lines += [note, ""]
    # The same replies as the posted thread (names are not looked up here: people show as their user ids).
    parts = pack_flags(digest.flags, {})
    for part, flags in enumerate(parts, start=1):
        lines.append(f"--- thread, part {part} of {len(parts)} ---")
        lines += [line for flag in flags for line in _flag_lines(flag)]
    return "\n".join(lines)


def _flag_lines(flag: RecordedFlag) -> list[str]:
    excerpt = textwrap.shorten(" ".join(flag.summary.split()), EXCERPT_MAX, placeholder="…")
    source = " / ".join(filter(None, [flag.source_text, flag.source_user_id and f"user {flag.source_user_id}"]))
    extras = [
        f"from {source}" if source else None,
        flag.date_demanded and f"due {flag.date_demanded}",
        f"real constraint claimed{verdict_note(flag.constraint_verdict)}"
        if flag.external_constraint
        else "no real constraint known",
        f"named: {flag.reporter_user_id}" if flag.reporter_user_id else "anonymous",
    ]
    return [
        f"#{flag.number} [{clause_plain_name(flag.clause)}] ({flag.status}) {excerpt}",
        f"    {', '.join(str(e) for e in extras if e)}",
    ]


def _clause_title(clause: Clause) -> str:
    return clause.title + ("" if clause.active else " (retired)")


def _side_title(side: SideCount) -> str:
    if side.side is None:
        return f"{side.clauses[0].clause.title} ({NEITHER_LABEL.lower()})" if side.clauses else NEITHER_LABEL
    return f"{side.side.label} ({side.side.meaning})"
