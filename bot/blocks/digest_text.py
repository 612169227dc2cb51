"""The digest as plain text, for `python -m bot digest preview` (an operator's terminal, not Slack)."""

from __future__ import annotations

import textwrap

from bot.blocks.digest import change, listing_note, pack_flags, sparkline
from bot.blocks.learnings import digest_learnings_text
from bot.blocks.outcomes import verdict_note
from bot.domain.digest import Digest
from bot.domain.flags import RecordedFlag

EXCERPT_MAX = 160


def digest_plain_text(digest: Digest) -> str:
    top = max((max(c.trend) for c in digest.counts), default=0)
    width = max(len(c.category.label) for c in digest.counts)
    lines = [
        f"deadline-flag digest for {digest.team_id}: {digest.period.label}",
        f"{digest.total} flags ({change(digest.total, digest.previous_total)} on the period before)",
        "",
        *(
            f"  {c.category.label:<{width}}  {c.count:>4}  {change(c.count, c.previous):<10} {sparkline(c.trend, top)}"
            for c in digest.counts
        ),
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
        f"#{flag.number} [{flag.category.label}] ({flag.status}) {excerpt}",
        f"    {', '.join(str(e) for e in extras if e)}",
    ]
