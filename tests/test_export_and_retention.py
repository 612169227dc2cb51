"""Export (CLI) keeps reporters anonymous; retention deletes flags and their history by date; the digest's second
half counts outcomes; every new query stays inside its workspace."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.db import flags as flag_store
from bot.db.models import Flag
from bot.domain import flags
from bot.domain.constraint_reviews import Verdict, review_constraint
from bot.domain.digest import build_digest, rolling_week
from bot.domain.export import export_rows, to_csv, to_json
from bot.domain.outcomes import NotALead, Status, change_status, list_open_flags, outcome_summary, status_history
from bot.domain.retention import purge_expired_flags
from bot.domain.workspace_settings import change_settings
from tests.holding import show_at_once
from tests.test_cli import clean_env, run_bot

KEY = b"test-reporter-key"
NOW = datetime(2026, 11, 30, 9, tzinfo=UTC)


@pytest.fixture(autouse=True)
def flags_shown_at_once(db: sessionmaker[Session]) -> None:
    """These tests are about what export, retention and outcomes do with flags leads see: one reporter's anonymous
    flags are released as they are stored (min_reporters 1), so their release is their creation."""
    show_at_once(db, "T1", "T2")


def record(
    db: sessionmaker[Session],
    summary: str,
    *,
    team_id: str = "T1",
    user_id: str = "U1",
    named: bool = False,
    at: datetime = NOW - timedelta(days=1),
) -> int:
    report = flags.FlagReport(team_id=team_id, reporter_id=user_id, keyword="other", summary=summary, name_reporter=named)
    return flags.record_flag(db, report, reporter_key=KEY, now=at).id


def resolve(db: sessionmaker[Session], flag_id: int, *, at: datetime, team_id: str = "T1", status: Status = Status.RESOLVED):
    """A lead resolves the flag (leads name it by its number: here, the one it has in its own workspace)."""
    with db() as session:
        number = session.get(Flag, flag_id).number
    return change_status(
        db,
        team_id=team_id,
        flag_number=number,
        to_status=status,
        changed_by="U0ADMIN",
        actor_is_admin=True,
        reporter_key=KEY,
        now=at,
    )


def test_export_has_every_flag_with_its_status_and_names_only_reporters_who_chose_to_be(db: sessionmaker[Session]) -> None:
    record(db, "anonymous one", user_id="U0ANON")
    named = record(db, "named one", user_id="U0NAMED", named=True)
    resolve(db, named, at=NOW)
    record(db, "other workspace", team_id="T2")

    rows = export_rows(db, team_id="T1")

    assert [(r["number"], r["summary"], r["status"], r["reporter"]) for r in rows] == [
        ("1", "anonymous one", "open", "anonymous"),
        ("2", "named one", "resolved", "U0NAMED"),
    ]
    text = to_csv(rows) + to_json(rows)
    assert "U0ANON" not in text
    assert "reporter_hash" not in text and "reporter_contact" not in text


def test_export_gives_each_claimed_constraint_with_the_leads_verdict_on_it(db: sessionmaker[Session]) -> None:
    def claim(summary: str) -> int:
        report = flags.FlagReport("T1", "U1", "other", summary, date_demanded="2026-12-24", external_constraint="a law")
        return flags.record_flag(db, report, reporter_key=KEY, now=NOW - timedelta(days=1)).number or 0

    confirmed = claim("confirmed one")
    claim("unreviewed one")
    review_constraint(
        db, team_id="T1", flag_number=confirmed, verdict=Verdict.CONFIRMED, reviewed_by="U0ADMIN", actor_is_admin=True,
        now=NOW,
    )  # fmt: skip

    rows = {row["summary"]: row for row in export_rows(db, team_id="T1")}

    assert rows["confirmed one"]["constraint_verdict"] == "confirmed"
    assert rows["unreviewed one"]["constraint_verdict"] == ""
    assert to_csv(list(rows.values())).splitlines()[0].endswith(",reporter,constraint_verdict")


def test_export_gives_days_not_times_and_no_conversation_or_message_ids(db: sessionmaker[Session]) -> None:
    report = flags.FlagReport(
        team_id="T1", reporter_id="U1", keyword="other", summary="linked", channel_id="C1",
        message_ts="1700000000.000100",
    )  # fmt: skip
    flag_id = flags.record_flag(db, report, reporter_key=KEY, now=datetime(2026, 11, 20, 14, 37, 5, 123456, tzinfo=UTC)).id
    link = "https://example.slack.com/archives/C1/p1700000000000100"
    flags.set_permalink(db, team_id="T1", flag_id=flag_id, permalink=link)  # as the shortcut does, once Slack gives it
    resolve(db, flag_id, at=datetime(2026, 11, 23, 8, 1, 2, 3, tzinfo=UTC))

    [row] = export_rows(db, team_id="T1")

    assert (row["released_on"], row["resolved_on"]) == ("2026-11-20", "2026-11-23")
    assert "channel_id" not in row and "message_ts" not in row
    assert row["permalink"] == "https://example.slack.com/archives/C1/p1700000000000100"
    text = to_csv([row]) + to_json([row])
    assert "14:37" not in text and "08:01" not in text


def test_a_dm_source_is_never_stored_so_never_exported(db: sessionmaker[Session]) -> None:
    report = flags.FlagReport(
        team_id="T1", reporter_id="U1", keyword="other", summary="from a dm", channel_id="D0DM",
        message_ts="1700000000.000100",
    )  # fmt: skip
    flag_id = flags.record_flag(db, report, reporter_key=KEY).id
    link = "https://example.slack.com/archives/D0DM/p1700000000000100"
    flags.set_permalink(db, team_id="T1", flag_id=flag_id, permalink=link)

    [row] = export_rows(db, team_id="T1")

    assert row["permalink"] == "" and "D0DM" not in to_csv([row])


def test_export_cli_writes_csv_or_json_to_stdout_since_a_date(
    tmp_path: Path, database_url: str, db: sessionmaker[Session]
) -> None:
    record(db, "old", at=NOW - timedelta(days=40))
    record(db, "recent", at=NOW - timedelta(days=2))
    env = clean_env(DATABASE_URL=database_url)

    as_csv = run_bot(
        "export", "--team", "T1", "--since", (NOW - timedelta(days=7)).date().isoformat(), env=env, cwd=tmp_path
    )
    as_json = run_bot("export", "--team", "T1", "--format", "json", env=env, cwd=tmp_path)

    assert as_csv.returncode == 0, as_csv.stderr
    assert [row["summary"] for row in csv.DictReader(io.StringIO(as_csv.stdout))] == ["recent"]
    assert [row["summary"] for row in json.loads(as_json.stdout)] == ["old", "recent"]


def test_retention_deletes_old_flags_and_their_history_per_workspace_setting(db: sessionmaker[Session]) -> None:
    kept = record(db, "kept", at=NOW - timedelta(days=364))
    expired = record(db, "expired", at=NOW - timedelta(days=366))
    resolve(db, expired, at=NOW - timedelta(days=300))
    short = record(db, "T2 short retention", team_id="T2", at=NOW - timedelta(days=31))
    change_settings(db, team_id="T2", now=NOW, default_channel=None, retention_days=30)

    deleted = purge_expired_flags(db, now=NOW)

    assert deleted == {"T1": 1, "T2": 1}
    with db() as session:
        assert [f.id for f in flag_store.list_flags(session, team_id="T1")] == [kept]
        assert flag_store.get_flag(session, team_id="T2", flag_id=short) is None
    assert status_history(db, team_id="T1", flag_id=expired) == []


def test_outcome_summary_counts_resolutions_open_and_stale_flags_and_the_median(db: sessionmaker[Session]) -> None:
    week = rolling_week(NOW)
    fast = record(db, "resolved in 2 days", at=NOW - timedelta(days=3))
    resolve(db, fast, at=NOW - timedelta(days=1))
    slow = record(db, "resolved in 10 days", at=NOW - timedelta(days=20))
    resolve(db, slow, at=NOW - timedelta(days=10), status=Status.NOT_AN_ISSUE)
    record(db, "open and stale", at=NOW - timedelta(days=40))
    record(db, "open and fresh", at=NOW - timedelta(days=1))
    record(db, "another workspace", team_id="T2", at=NOW - timedelta(days=40))

    summary = outcome_summary(db, team_id="T1", since=week.start, until=week.end)

    assert (summary.resolved_in_period, summary.open_now, summary.open_over_four_weeks) == (1, 2, 1)
    assert summary.median_days_to_resolution == 6.0
    assert build_digest(db, team_id="T1", period=week).outcomes == summary


def test_outcome_queries_never_reach_another_workspace(db: sessionmaker[Session]) -> None:
    t1_flag = record(db, "T1 flag")
    change_settings(db, team_id="T1", now=NOW, lead_ids=["U0LEAD"])

    assert [f.id for f in list_open_flags(db, team_id="T1", limit=10)] == [t1_flag]
    assert list_open_flags(db, team_id="T2", limit=10) == []
    assert export_rows(db, team_id="T2") == []
    with pytest.raises(NotALead):  # T1's leads list means nothing in T2
        change_status(
            db,
            team_id="T2",
            flag_number=1,  # T1's flag #1
            to_status=Status.RESOLVED,
            changed_by="U0LEAD",
            actor_is_admin=False,
            reporter_key=KEY,
            now=NOW,
        )
    with pytest.raises(flags.FlagNotFound):  # even an admin of T2 finds no such flag
        resolve(db, t1_flag, at=NOW, team_id="T2")
    assert status_history(db, team_id="T2", flag_id=t1_flag) == []
