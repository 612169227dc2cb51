"""The weekly trend as a PNG: flags a week per side of the agreement (stacked bars) and flags resolved a week (a line).

Drawn server-side with matplotlib's Agg backend (no display) through its object API (no pyplot, so no global
figure state between digests). Only the clock process and the CLI import this module, and only when they draw:
matplotlib costs a process about 60 MiB, which every web worker would pay for nothing
(tests/test_chart.py checks that building the web app leaves it unimported).
"""

from __future__ import annotations

import io
import math

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from bot.domain.insights import Learnings

WIDTH_PX, HEIGHT_PX, DPI = 1080, 1080, 150  # square: a phone shows it whole, full width, without zooming
# Okabe and Ito's palette: told apart by people with the common colour-vision deficiencies, and in greyscale.
COLOURS = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#999999")
RESOLVED_COLOUR = "#000000"
LABELLED_WEEKS_MAX = 10  # past this many weeks, only every n-th week is labelled, so labels never overlap


def trend_png(learnings: Learnings) -> bytes:
    """The chart of `learnings.weeks` as PNG bytes, WIDTH_PX × HEIGHT_PX."""
    weeks = learnings.weeks
    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = list(range(len(weeks)))
    bottom = [0] * len(weeks)
    for index, group in enumerate(learnings.groups):
        values = [week.groups[index].figures.flags for week in weeks]
        if not any(values):
            continue  # a side with no flags has nothing to show, nor a place in the legend
        axes.bar(positions, values, bottom=bottom, width=0.7, color=COLOURS[index % len(COLOURS)], label=group.group.label)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    resolved = [week.total.resolved for week in weeks]
    axes.plot(positions, resolved, color=RESOLVED_COLOUR, marker="o", linewidth=2.5, markersize=6, label="Resolved")
    top = max([*bottom, *resolved, 1])
    axes.set_ylim(0, math.ceil(top * 1.15))
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    step = max(1, math.ceil(len(weeks) / LABELLED_WEEKS_MAX))
    axes.set_xticks(positions[::step], [week.label for week in weeks][::step], rotation=45, ha="right", fontsize=11)
    axes.tick_params(axis="y", labelsize=11)
    axes.set_ylabel("Flags a week", fontsize=12)
    axes.set_title(f"Flags a week and flags resolved\n{learnings.label}", fontsize=14, loc="left")
    axes.spines[["top", "right"]].set_visible(False)
    axes.grid(axis="y", alpha=0.3)
    if not any(bottom):
        axes.text(0.5, 0.55, "No flags in these weeks", transform=axes.transAxes, ha="center", fontsize=13, color="#555555")
    figure.legend(loc="outside lower center", ncols=2, frameon=False, fontsize=11)
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI)
    return out.getvalue()
