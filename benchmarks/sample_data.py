"""Seed a database with eight weeks of sample flags, leads' answers and constraint reviews in workspace T1
(Europe/Paris), for the README's sample chart and report. Relative to now, so the preview shows them:

    .venv/bin/python benchmarks/sample_data.py sqlite:///sample.db
    DATABASE_URL=sqlite:///sample.db SLACK_SIGNING_SECRET=x .venv/bin/python -m bot digest preview --team T1 \\
        --chart docs/sample-chart.png
"""

from __future__ import annotations

import random
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bot.db import flags as flag_store  # noqa: E402
from bot.db.migrate import upgrade_to_head  # noqa: E402
from bot.db.session import create_db_engine, create_session_factory  # noqa: E402
from bot.domain.agreement import agreement_of  # noqa: E402
from bot.domain.constraint_reviews import Verdict, review_constraint  # noqa: E402
from bot.domain.outcomes import Status, change_status  # noqa: E402
from bot.domain.workspace_settings import change_settings  # noqa: E402

WEIGHTS = {  # clauses of the default agreement, by keyword: both sides, and `other`
    "deadline": 5,
    "feature": 3,
    "seat": 1,
    "remedial": 2,
    "priorities": 2,
    "health": 2,
    "explain": 2,
    "other": 1,
}


def seed(url: str, now: datetime, rng: random.Random) -> None:
    upgrade_to_head(url)
    db = create_session_factory(create_db_engine(url))
    change_settings(db, team_id="T1", now=now, default_channel=None, timezone="Europe/Paris")
    agreement = agreement_of(db, team_id="T1")
    clause_ids = {keyword: agreement.clause(keyword).id for keyword in WEIGHTS}  # type: ignore[union-attr]
    lead = {"changed_by": "U0LEAD", "actor_is_admin": True, "reporter_key": b"sample"}
    for week in range(8):
        for n in range(0 if week == 2 else rng.randrange(1, 9)):  # the third week is a quiet one
            created = now - timedelta(days=7 * (7 - week) + rng.random() * 7)
            dated = rng.random() < 0.6
            with db.begin() as session:
                row = flag_store.add_flag(
                    session,
                    team_id="T1",
                    clause_id=clause_ids[rng.choices(list(WEIGHTS), list(WEIGHTS.values()))[0]],
                    summary=f"sample flag {week}-{n}",
                    reporter_hash="h" * 64,
                    created_at=created,
                    released_at=created,  # a sample of what leads see
                    date_demanded=date.today() + timedelta(days=14) if dated else None,
                    external_constraint="a customer contract" if dated and rng.random() < 0.4 else None,
                )
                number, claimed = row.number, row.external_constraint is not None
            luck = rng.random()
            answered = created + timedelta(hours=rng.randrange(2, 200))
            if luck < 0.75 and answered < now:
                change_status(db, team_id="T1", flag_number=number, to_status=Status.ACKNOWLEDGED, now=answered, **lead)
                resolved = answered + timedelta(hours=rng.randrange(10, 300))
                if luck < 0.45 and resolved < now:
                    change_status(db, team_id="T1", flag_number=number, to_status=Status.RESOLVED, now=resolved, **lead)
            if claimed and rng.random() < 0.7:
                verdict = Verdict.CONFIRMED if rng.random() < 0.6 else Verdict.NOT_CONFIRMED
                review_constraint(
                    db, team_id="T1", flag_number=number, verdict=verdict, reviewed_by="U0LEAD", actor_is_admin=True, now=now
                )


if __name__ == "__main__":
    seed(sys.argv[1] if len(sys.argv) > 1 else "sqlite:///sample.db", datetime.now(UTC), random.Random(7))
