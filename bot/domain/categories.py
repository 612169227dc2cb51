"""The working agreement's categories: what a flag can say was breached.

Product brings problems rather than features, builds the backlog with tech, and sets no artificial deadlines;
tech may delay or turn down what the estate cannot take, does remedial work properly, and has a seat at the table.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Category(StrEnum):
    """Stored as its value; never rename a value without a data migration."""

    ARTIFICIAL_DEADLINE = "artificial_deadline"
    FEATURE_NOT_PROBLEM = "feature_not_problem"
    NO_SEAT_AT_THE_TABLE = "no_seat_at_the_table"
    REMEDIAL_WORK_SQUEEZED = "remedial_work_squeezed"
    PRIORITIES_OUTSIDE_BACKLOG = "priorities_outside_backlog"
    OTHER = "other"

    @property
    def label(self) -> str:
        return _DETAILS[self].label

    @property
    def keyword(self) -> str:
        return _DETAILS[self].keyword

    @property
    def description(self) -> str:
        return _DETAILS[self].description


@dataclass(frozen=True)
class _Details:
    keyword: str  # typed before a colon in `/deadline-flag feature: ...`
    label: str
    description: str


_DETAILS = {
    Category.ARTIFICIAL_DEADLINE: _Details(
        "deadline", "Artificial deadline", "A date set by a roadmap, not by a real external constraint."
    ),
    Category.FEATURE_NOT_PROBLEM: _Details(
        "feature", "Feature, not problem", "A solution handed over instead of the problem to solve."
    ),
    Category.NO_SEAT_AT_THE_TABLE: _Details(
        "seat", "No seat at the table", "Roadmap or priorities decided without tech in the room."
    ),
    Category.REMEDIAL_WORK_SQUEEZED: _Details(
        "remedial", "Remedial work squeezed", "Health or tech-debt work cut, rushed or deferred again."
    ),
    Category.PRIORITIES_OUTSIDE_BACKLOG: _Details(
        "priorities", "Priorities changed outside the backlog", "Work reordered or added without the shared backlog."
    ),
    Category.OTHER: _Details("other", "Other", "Another strain on the product-tech working agreement."),
}

# Inline flags without a keyword: the command is named for the commonest case.
DEFAULT_CATEGORY = Category.ARTIFICIAL_DEADLINE

CATEGORY_BY_KEYWORD = {category.keyword: category for category in Category}
