"""What the leads learn, in words: the lines the digest's summary, its plain-text preview and the report share.
Pure: Learnings in, text out. Patterns only: no reporter, no source, no ranking of people."""

from __future__ import annotations

from bot.domain.insights import ANSWER_WITHIN_WORKING_DAYS, Figures, Learnings

ALT_TEXT_MAX = 1000  # files.getUploadURLExternal's alt_txt: kept short enough for any screen reader


def days(value: float | None, none: str = "none yet") -> str:
    if value is None:
        return none
    return f"{value:.1f} day" if round(value, 1) == 1 else f"{value:.1f} days"


def share(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}% ({part} of {whole})" if whole else "none due yet"


def percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "-"


def response_line(figures: Figures, *, short: bool = False) -> str:
    """Response times and resolution (medians), one line."""
    answered = "within" if short else "answered within"
    return (
        f"first answer{'' if short else ' by a lead'} {days(figures.median_days_to_response)} · "
        f"{share(figures.answered_within, figures.due)} {answered} {ANSWER_WITHIN_WORKING_DAYS} working days · "
        f"resolution {days(figures.median_days_to_resolution)}"
    )


def constraints_line(figures: Figures) -> str:
    """Claimed constraints and what leads made of them, one line."""
    if figures.dated:
        dated = (
            f"{figures.dated_with_claim} of {figures.dated} flags with a demanded date claimed a real external constraint"
            f" ({round(100 * figures.dated_with_claim / figures.dated)}%)"
        )
    else:
        dated = "no flag had a demanded date"
    if not figures.claims:
        return f"{dated} · no claims to review"
    claims = "1 claim" if figures.claims == 1 else f"{figures.claims} claims"
    return (
        f"{dated} · of {claims}, {figures.confirmed} confirmed by a lead, {figures.not_confirmed} not confirmed, "
        f"{figures.unreviewed} not reviewed yet"
    )


def group_lines(learnings: Learnings) -> list[str]:
    """One response line per group that had flags or resolutions in the window."""
    return [
        f"{g.group.label}, {_flags(g.figures.flags)}: {response_line(g.figures, short=True)}"
        for g in learnings.groups
        if g.figures.flags or g.figures.resolved
    ]


def _flags(count: int) -> str:
    return "1 flag" if count == 1 else f"{count} flags"


def digest_learnings_mrkdwn(learnings: Learnings) -> str:
    """The digest summary's section: the last 8 weeks' response times per side of the agreement, and claimed constraints."""
    weeks = len(learnings.weeks)
    lines = [f"*Response times, last {weeks} weeks* (medians): {response_line(learnings.total)}"]
    lines += [f"• {line}" for line in group_lines(learnings)]
    lines.append(f"*Real constraints, last {weeks} weeks:* {constraints_line(learnings.total)}")
    return "\n".join(lines)


def digest_learnings_text(learnings: Learnings) -> list[str]:
    """The same, as plain text lines for the preview."""
    weeks = len(learnings.weeks)
    return [
        f"Response times (last {weeks} weeks, medians): {response_line(learnings.total)}",
        *(f"  {line}" for line in group_lines(learnings)),
        f"Real constraints (last {weeks} weeks): {constraints_line(learnings.total)}",
    ]


def chart_alt_text(learnings: Learnings) -> str:
    """What the trend chart shows, in words (screen readers, and wherever images do not load)."""
    weeks = learnings.weeks
    flags = ", ".join(str(w.total.flags) for w in weeks)
    resolved = ", ".join(str(w.total.resolved) for w in weeks)
    busiest = max(weeks, key=lambda w: w.total.flags) if weeks else None
    by_group = "; ".join(f"{g.group.label} {g.figures.flags}" for g in learnings.groups if g.figures.flags)
    text = (
        f"Bar chart of flags a week over {len(weeks)} weeks, {learnings.label}, stacked by side, with a line of "
        f"flags resolved a week. Flags a week, oldest first: {flags}. Resolved a week: {resolved}."
    )
    if busiest is not None and busiest.total.flags:
        text += f" Most flags in the week of {busiest.label}: {busiest.total.flags}."
    if by_group:
        text += f" By side over the {len(weeks)} weeks: {by_group}."
    return text if len(text) <= ALT_TEXT_MAX else text[: ALT_TEXT_MAX - 1] + "…"
