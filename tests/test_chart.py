"""The trend chart: a PNG drawn server-side that opens and has the size a phone shows whole, with alt text saying the
same in words; and the web process never loads the chart library."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from PIL import Image
from sqlalchemy.orm import Session, sessionmaker

from bot.blocks.learnings import ALT_TEXT_MAX, chart_alt_text
from bot.chart import HEIGHT_PX, WIDTH_PX, trend_png
from bot.db import flags as flag_store
from bot.domain.insights import learn, learn_recent
from bot.domain.outcomes import Status, change_status
from tests.clauses import clause_id

END = datetime(2026, 11, 30, 9, tzinfo=UTC)


def seed(db: sessionmaker[Session], per_week: list[int]) -> None:
    """per_week[i] flags in week i of the 8 up to END (oldest first), the first of each week resolved a day later."""
    clauses = [clause_id(db, "deadline"), clause_id(db, "explain")]  # product's side and tech's side
    for week, count in enumerate(per_week):
        for n in range(count):
            created = END - timedelta(weeks=8 - week) + timedelta(hours=3 + n)
            with db.begin() as session:
                row = flag_store.add_flag(
                    session,
                    team_id="T1",
                    clause_id=clauses[n % 2],
                    summary="a flag",
                    reporter_hash="h" * 64,
                    created_at=created,
                    released_at=created,
                )
            if n == 0:
                change_status(
                    db, team_id="T1", flag_number=row.number, to_status=Status.RESOLVED, changed_by="U0LEAD",
                    actor_is_admin=True, reporter_key=b"k", now=created + timedelta(days=1),
                )  # fmt: skip


def test_the_trend_chart_is_a_png_of_the_expected_size(db: sessionmaker[Session]) -> None:
    seed(db, [3, 0, 5, 2, 0, 1, 4, 2])

    png = trend_png(learn_recent(db, team_id="T1", end=END))

    image = Image.open(io.BytesIO(png))
    image.load()  # decodes the whole image: a truncated PNG fails here
    assert image.format == "PNG"
    assert image.size == (WIDTH_PX, HEIGHT_PX)


def test_weeks_with_no_flags_at_all_still_draw_a_chart(db: sessionmaker[Session]) -> None:
    png = trend_png(learn_recent(db, team_id="T1", end=END))

    assert Image.open(io.BytesIO(png)).size == (WIDTH_PX, HEIGHT_PX)


def test_a_quarter_of_weeks_draws_at_the_same_size(db: sessionmaker[Session]) -> None:
    seed(db, [1] * 8)
    boundaries = [END - timedelta(weeks=k) for k in range(14, -1, -1)]

    png = trend_png(learn(db, team_id="T1", boundaries=boundaries, zone=ZoneInfo("UTC")))

    assert Image.open(io.BytesIO(png)).size == (WIDTH_PX, HEIGHT_PX)


def test_the_alt_text_says_in_words_what_the_chart_shows(db: sessionmaker[Session]) -> None:
    seed(db, [3, 0, 5, 2, 0, 1, 4, 2])

    text = chart_alt_text(learn_recent(db, team_id="T1", end=END))

    assert "Flags a week, oldest first: 3, 0, 5, 2, 0, 1, 4, 2." in text
    assert "Resolved a week: 1, 0, 1, 1, 0, 1, 1, 1." in text
    assert "Most flags in the week of 19 Oct: 5." in text
    assert "By side over the 8 weeks: Product's side 10; Tech's side 7." in text
    assert len(text) <= ALT_TEXT_MAX


def test_building_the_web_app_does_not_import_the_chart_library(tmp_path: Path) -> None:
    # A fresh interpreter: this test process has imported matplotlib already.
    script = """
import sys
from concurrent.futures import ThreadPoolExecutor
from bot.config import Config
from bot.db.migrate import upgrade_to_head
from bot.db.session import create_db_engine, create_session_factory
import bot.slack.server, bot.slack.socket_mode  # what `serve` loads, either transport
from bot.slack.app import create_app
from bot.slack.web import create_wsgi_app
from tests.clauses import clause_id
from tests.fake_slack_api import start_fake_slack_api

fake, _ = start_fake_slack_api()
url = "sqlite:///" + sys.argv[1]
upgrade_to_head(url)
engine = create_db_engine(url)
config = Config(signing_secret="s", bot_token="xoxb-T1-token", slack_api_url=fake.api_url, database_url=url)
pool = ThreadPoolExecutor(1)
create_wsgi_app(create_app(config, create_session_factory(engine), pool, pool), engine, signing_secret="s")
print(sorted(m for m in sys.modules if m.split(".")[0] in ("matplotlib", "PIL") or m == "bot.chart"))
"""
    root = Path(__file__).resolve().parent.parent
    database = tmp_path / "web.db"
    command = [sys.executable, "-c", script, str(database)]
    run = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=120)

    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"
