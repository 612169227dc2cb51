"""`python -m bot report` and `digest preview --chart`: the leads' figures over any range, as text or JSON, and the
trend chart written to a file a person can open."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PIL import Image

from bot.chart import HEIGHT_PX, WIDTH_PX
from tests.test_cli import clean_env, run_bot, seeded_database


def today() -> str:
    return datetime.now(UTC).date().isoformat()


def days_ago(n: int) -> str:
    return (datetime.now(UTC) - timedelta(days=n)).date().isoformat()


def test_digest_preview_writes_the_trend_chart_to_a_png_file(tmp_path: Path) -> None:
    env = clean_env(DATABASE_URL=seeded_database(tmp_path))

    result = run_bot("digest", "preview", "--team", "T1", "--chart", "trend.png", env=env, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert "Response times (last 8 weeks, medians)" in result.stdout
    assert Image.open(tmp_path / "trend.png").size == (WIDTH_PX, HEIGHT_PX)
    assert "Flags a week, oldest first: 0, 0, 0, 0, 0, 0, 0, 1." in result.stderr  # the alt text, for the terminal


def test_digest_preview_with_a_chart_needs_a_team(tmp_path: Path) -> None:
    env = clean_env(DATABASE_URL=seeded_database(tmp_path))

    result = run_bot("digest", "preview", "--chart", "trend.png", env=env, cwd=tmp_path)

    assert result.returncode == 2
    assert result.stderr.strip() == "deadline-flag: --chart draws one workspace's chart: give --team too"
    assert not (tmp_path / "trend.png").exists()


def test_report_prints_the_range_week_by_week(tmp_path: Path) -> None:
    env = clean_env(DATABASE_URL=seeded_database(tmp_path))

    result = run_bot("report", "--team", "T1", "--since", days_ago(20), env=env, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("deadline-flag report for T1: ")
    assert "3 weeks" in result.stdout
    assert "Flags: 1 · resolved or closed: 0" in result.stdout
    assert "Product's side, 1 flag: first answer none yet" in result.stdout
    assert "product 1" in result.stdout  # the last week's row, by side


def test_report_as_json_has_the_figures_and_every_week(tmp_path: Path) -> None:
    env = clean_env(DATABASE_URL=seeded_database(tmp_path))

    result = run_bot("report", "--team", "T1", "--since", days_ago(20), "--format", "json", env=env, cwd=tmp_path)

    report = json.loads(result.stdout)
    assert (report["team_id"], report["timezone"], report["since"]) == ("T1", "UTC", days_ago(20))
    assert report["total"]["flags"] == 1 and report["total"]["share_answered_within"] is None
    assert [w["flags"] for w in report["weeks"]] == [0, 0, 1]
    assert {g["key"]: g["flags"] for g in report["weeks"][-1]["groups"]}["product"] == 1
    assert "h" * 64 not in result.stdout and "CSV export" not in result.stdout  # figures only: no flag, no reporter


def test_report_writes_its_chart(tmp_path: Path) -> None:
    env = clean_env(DATABASE_URL=seeded_database(tmp_path))

    result = run_bot(
        "report", "--team", "T1", "--since", days_ago(90), "--until", today(), "--chart", "q.png", env=env, cwd=tmp_path
    )

    assert result.returncode == 0, result.stderr
    assert Image.open(tmp_path / "q.png").size == (WIDTH_PX, HEIGHT_PX)


def test_report_refuses_a_range_that_ends_before_it_starts(tmp_path: Path) -> None:
    env = clean_env(DATABASE_URL=seeded_database(tmp_path))

    result = run_bot("report", "--team", "T1", "--since", "2026-11-20", "--until", "2026-11-01", env=env, cwd=tmp_path)

    assert result.returncode == 2
    assert result.stderr.strip() == "deadline-flag: --until 2026-11-01 is before --since 2026-11-20."


def test_report_refuses_a_malformed_date(tmp_path: Path) -> None:
    result = run_bot("report", "--team", "T1", "--since", "2026-13-01", env=clean_env(), cwd=tmp_path)

    assert result.returncode == 2
    assert "'2026-13-01' is not a date like 2026-11-30" in result.stderr
