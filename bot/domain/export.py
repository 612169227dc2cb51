"""A workspace's flags with their outcomes, as CSV or JSON: reporters anonymous, as everywhere."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.db import flags as flag_store
from bot.domain.flags import to_recorded

# Days, not times: a flag's minute lines up with who was typing then. No channel id or message ts either: the
# permalink (kept only for channels, never a DM's) is what a lead needs, and says no more than they can open.
FIELDS = [
    "number",  # the workspace's own flag number, as receipts and the digest show it
    "created_on",
    "category",
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
]


def export_rows(db: sessionmaker[Session], *, team_id: str, since: datetime | None = None) -> list[dict[str, str]]:
    """Oldest first. `reporter` is the user id only for reporters who chose to be named, else "anonymous"."""
    with db() as session:
        flags = [to_recorded(row) for row in reversed(flag_store.list_flags(session, team_id=team_id, since=since))]
    rows = []
    for flag in flags:
        values = {name: getattr(flag, name, None) for name in FIELDS}
        values["created_on"] = flag.created_at.date()
        values["resolved_on"] = flag.resolved_at.date() if flag.resolved_at else None
        values["category"] = flag.category.value
        values["reporter"] = flag.reporter_user_id or "anonymous"
        rows.append(
            {k: "" if v is None else v.isoformat() if hasattr(v, "isoformat") else str(v) for k, v in values.items()}
        )
    return rows


def to_csv(rows: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FIELDS)
    writer.writeheader()
    for row in rows:
        # A leading =, +, - or @ makes spreadsheets run the cell as a formula: user text must stay text.
        writer.writerow({k: "'" + v if v[:1] in ("=", "+", "-", "@") else v for k, v in row.items()})
    return buffer.getvalue()


def to_json(rows: list[dict[str, str]]) -> str:
    return json.dumps(rows, ensure_ascii=False, indent=2)
