"""A workspace's flags with their clauses and outcomes, as CSV or JSON: reporters anonymous, as everywhere, and only
the flags leads may see (held flags are one number: `held_flags_now`), unless the operator asks for the held ones too."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.db import flags as flag_store
from bot.domain.flags import RecordedFlag, to_recorded

# Days, not times: a flag's minute lines up with who was typing then. No channel id or message ts either: the
# permalink (kept only for channels, never a DM's) is what a lead needs, and says no more than they can open.
# The day is the release's: when a held batch was written would say who wrote first.
FIELDS = [
    "number",  # the workspace's own flag number, as receipts and the digest show it
    "released_on",  # the day leads could first see it: for a named flag, the day it was stored
    "keyword",  # the clause the flag says was not kept: its keyword, its title, and its side (empty: `other`)
    "title",
    "side",
    "summary",
    "source_text",
    "source_user_id",
    "date_demanded",
    "external_constraint",
    "permalink",
    "status",
    "status_reason",
    "resolved_on",
    "reporter",
    "constraint_verdict",  # leads' review of the claimed constraint: confirmed, not_confirmed, or empty (none yet)
]
# --include-held (the operator, who holds the database anyway): held flags too, and when each was stored.
HELD_FIELDS = [*FIELDS, "held", "created_on"]


def export_rows(
    db: sessionmaker[Session], *, team_id: str, since: datetime | None = None, include_held: bool = False
) -> list[dict[str, str]]:
    """The flags leads may see, in the order of release; `since`: released on or after it. `reporter` is the user id
    only for reporters who chose to be named, else "anonymous". `include_held`: every flag, in the order stored,
    held or not (`since`: stored on or after it), with the HELD_FIELDS."""
    with db() as session:
        if include_held:
            rows = reversed(flag_store.list_flags(session, team_id=team_id, since=since))
        else:
            rows = flag_store.list_visible_flags(session, team_id=team_id, released_since=since)
        flags = [to_recorded(row) for row in rows]
    return [_row(flag, include_held) for flag in flags]


def _row(flag: RecordedFlag, include_held: bool) -> dict[str, str]:
    values = {name: getattr(flag, name, None) for name in (HELD_FIELDS if include_held else FIELDS)}
    values["released_on"] = flag.released_at.date() if flag.released_at else None
    values["resolved_on"] = flag.resolved_at.date() if flag.resolved_at else None
    values["keyword"] = flag.clause.keyword
    values["title"] = flag.clause.title
    values["side"] = flag.clause.side.value if flag.clause.side else None
    values["reporter"] = flag.reporter_user_id or "anonymous"
    if include_held:
        values["held"] = "yes" if flag.held else "no"
        values["created_on"] = flag.created_at.date()
    return {k: "" if v is None else v.isoformat() if hasattr(v, "isoformat") else str(v) for k, v in values.items()}


def to_csv(rows: list[dict[str, str]], *, include_held: bool = False) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=HELD_FIELDS if include_held else FIELDS)
    writer.writeheader()
    for row in rows:
        # A leading =, +, - or @ makes spreadsheets run the cell as a formula: user text must stay text.
        writer.writerow({k: "'" + v if v[:1] in ("=", "+", "-", "@") else v for k, v in row.items()})
    return buffer.getvalue()


def to_json(rows: list[dict[str, str]]) -> str:
    return json.dumps(rows, ensure_ascii=False, indent=2)
