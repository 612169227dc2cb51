"""The leads' report over any range, weekly, as plain text or JSON (`python -m bot report`). Pure: Learnings in."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.blocks.learnings import constraints_line, days, group_lines, percent, response_line
from bot.domain.insights import ANSWER_WITHIN_WORKING_DAYS, Figures, Learnings, Span


def report_plain_text(learnings: Learnings) -> str:
    total = learnings.total
    weeks = len(learnings.weeks)
    lines = [
        f"deadline-flag report for {learnings.team_id}: {learnings.label} ({learnings.timezone}), "
        f"{weeks} week{'s' if weeks != 1 else ''}",
        f"Flags: {total.flags} · resolved or closed: {total.resolved}",
        f"Response times (medians): {response_line(total)}",
        *(f"  {line}" for line in group_lines(learnings)),
        f"Real constraints: {constraints_line(total)}",
        "",
        f"{'Week of':<8} {'Flags':>5}  {'Resolved':>8}  {'1st answer':>10}  {'Within 5 wd':>11}  {'Resolution':>10}  "
        f"{'Claimed':>7}  {'Confirmed':>9}  By side",
        *(_week_line(week) for week in learnings.weeks),
        "",
        "1st answer and Resolution are medians in days; Within 5 wd: answered within "
        f"{ANSWER_WITHIN_WORKING_DAYS} working days (Mon-Fri) of the flags due; Claimed: flags with a demanded date "
        "that claimed a real external constraint, of those with a date; Confirmed: claims a lead confirmed.",
    ]
    return "\n".join(lines)


def _week_line(week: Span) -> str:
    f = week.total
    within = f"{percent(f.answered_within, f.due)} ({f.answered_within}/{f.due})" if f.due else "-"
    claimed = f"{f.dated_with_claim}/{f.dated}" if f.dated else "-"
    by_group = ", ".join(f"{g.group.short} {g.figures.flags}" for g in week.groups if g.figures.flags) or "-"
    return (
        f"{week.label:<8} {f.flags:>5}  {f.resolved:>8}  {_days(f.median_days_to_response):>10}  {within:>11}  "
        f"{_days(f.median_days_to_resolution):>10}  {claimed:>7}  {f.confirmed:>9}  {by_group}"
    )


def _days(value: float | None) -> str:
    return days(value, none="-")


def report_json(learnings: Learnings) -> str:
    zone = ZoneInfo(learnings.timezone)
    return json.dumps(
        {
            "team_id": learnings.team_id,
            "timezone": learnings.timezone,
            "since": _local_day(learnings.start, zone),
            "until": _local_day(learnings.end - timedelta(microseconds=1), zone),
            "start": learnings.start.isoformat(),
            "end": learnings.end.isoformat(),
            "answer_within_working_days": ANSWER_WITHIN_WORKING_DAYS,
            "total": _figures(learnings.total),
            "groups": [{"key": g.group.key, "label": g.group.label, **_figures(g.figures)} for g in learnings.groups],
            "weeks": [
                {
                    "week_of": _local_day(week.start, zone),
                    "start": week.start.isoformat(),
                    "end": week.end.isoformat(),
                    **_figures(week.total),
                    "groups": [{"key": g.group.key, **_figures(g.figures)} for g in week.groups],
                }
                for week in learnings.weeks
            ],
        },
        indent=2,
    )


def _figures(figures: Figures) -> dict:
    values = asdict(figures)
    for name in ("median_days_to_response", "median_days_to_resolution"):
        if values[name] is not None:
            values[name] = round(values[name], 2)
    share_within, share_claimed = figures.share_answered_within, figures.share_dated_with_claim
    values["share_answered_within"] = None if share_within is None else round(share_within, 3)
    values["share_dated_with_claim"] = None if share_claimed is None else round(share_claimed, 3)
    values["unreviewed"] = figures.unreviewed
    return values


def _local_day(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).date().isoformat()
