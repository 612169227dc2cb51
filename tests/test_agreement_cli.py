"""`python -m bot agreement show|add|edit|retire|restore`, as an operator runs it: a real process on the test's
database; refusals are one sentence on stderr with exit status 2."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.blocks import ids
from bot.domain.agreement import agreement_of
from tests.fake_slack_api import FakeSlackApi
from tests.holding import show_at_once
from tests.slack_requests import SlackSender
from tests.test_cli import clean_env, run_bot
from tests.views import opened_view


def agreement_cli(database_url: str, tmp_path: Path, *args: str):
    return run_bot("agreement", *args, env=clean_env(DATABASE_URL=database_url), cwd=tmp_path)


def test_agreement_show_prints_the_active_clauses_then_the_retired_ones(
    db: sessionmaker[Session], database_url: str, tmp_path: Path
) -> None:
    agreement_cli(database_url, tmp_path, "retire", "--team", "T1", "--keyword", "seat")

    result = agreement_cli(database_url, tmp_path, "show", "--team", "T1")

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    retired_at = lines.index("T1: retired clauses")
    active = [line.split()[:2] for line in lines[1:retired_at]]
    assert active[0] == ["deadline", "product"] and ["explain", "tech"] in active and active[-1] == ["other", "neither"]
    assert ["seat", "product"] not in active
    assert " ".join(lines[retired_at + 1].split()) == "seat product Tech at the table when the roadmap is shaped"


def test_a_clause_added_from_the_cli_is_flagged_at_once_by_keyword_and_in_the_form_and_shows_in_digest_and_export(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session], database_url: str, tmp_path: Path
) -> None:
    show_at_once(db)  # the digest and the export hold the flags leads may see
    clause = ("--side", "tech", "--keyword", "oncall", "--title", "Own what you ship")
    added = agreement_cli(database_url, tmp_path, "add", "--team", "T1", *clause)
    slack.command("oncall: paged at night for code nobody reviewed")
    slack.command("")

    assert added.returncode == 0, added.stderr
    form = opened_view(fake_slack_api.wait_for("views.open")[0])
    [select] = [b["element"] for b in form["blocks"] if b.get("block_id") == ids.CLAUSE_BLOCK]
    assert select["option_groups"][1]["options"][-1]["value"] == "oncall"
    preview = run_bot("digest", "preview", "--team", "T1", env=clean_env(DATABASE_URL=database_url), cwd=tmp_path)
    assert any(line.split() == ["Own", "what", "you", "ship", "1", "▲1"] for line in preview.stdout.splitlines())
    export = run_bot("export", "--team", "T1", env=clean_env(DATABASE_URL=database_url), cwd=tmp_path)
    [row] = csv.DictReader(io.StringIO(export.stdout))
    assert (row["keyword"], row["title"], row["side"]) == ("oncall", "Own what you ship", "tech")


def test_a_clause_retired_from_the_cli_refuses_new_flags_still_shows_its_flags_and_is_restored(
    slack: SlackSender, db: sessionmaker[Session], database_url: str, tmp_path: Path
) -> None:
    show_at_once(db)  # the digest holds the flags leads may see
    slack.command("seat: the roadmap was set without us")

    retired = agreement_cli(database_url, tmp_path, "retire", "--team", "T1", "--keyword", "seat")
    refused = slack.command("seat: and again")
    preview = run_bot("digest", "preview", "--team", "T1", env=clean_env(DATABASE_URL=database_url), cwd=tmp_path)
    restored = agreement_cli(database_url, tmp_path, "restore", "--team", "T1", "--keyword", "seat")
    accepted = slack.command("seat: and again")

    assert (retired.returncode, restored.returncode) == (0, 0), retired.stderr + restored.stderr
    assert "was retired" in str(refused.json()["blocks"])
    seat_line = ["Tech", "at", "the", "table", "when", "the", "roadmap", "is", "shaped", "(retired)", "1", "▲1"]
    assert any(line.split() == seat_line for line in preview.stdout.splitlines())
    assert "Flagged under" in str(accepted.json()["blocks"])


def test_agreement_edit_changes_only_what_it_is_given(db: sessionmaker[Session], database_url: str, tmp_path: Path) -> None:
    result = agreement_cli(
        database_url, tmp_path, "edit", "--team", "T1", "--keyword", "input", "--side", "product", "--title", "Ask first"
    )

    assert result.returncode == 0, result.stderr
    clause = agreement_of(db, team_id="T1").clause("input")
    assert clause is not None
    assert (clause.side, clause.title, clause.description) == (
        "product",
        "Ask first",
        "Tech speaks for what the estate needs when the roadmap is discussed.",
    )


@pytest.mark.parametrize(
    ("args", "sentence"),
    [
        (("add", "--side", "sales", "--keyword", "oncall", "--title", "t"), "Pick a side: product or tech."),
        (("add", "--side", "tech", "--keyword", "On-Call", "--title", "t"), "A keyword is one short lower-case word"),
        (("add", "--side", "tech", "--keyword", "seat", "--title", "t"), "`seat` is already a keyword"),
        (("add", "--side", "tech", "--keyword", "oncall", "--title", "t" * 80), "Keep the title to 75 characters"),
        (("edit", "--keyword", "nosuch", "--title", "t"), "There is no clause `nosuch` in this agreement"),
        (("edit", "--keyword", "seat"), "Say what to change: --title, --description or --side."),
        (("retire", "--keyword", "other"), "`other` is the app's own, on neither side"),
    ],
)
def test_a_refused_agreement_change_is_one_sentence_on_stderr_with_exit_status_2_and_changes_nothing(
    db: sessionmaker[Session], database_url: str, tmp_path: Path, args: tuple[str, ...], sentence: str
) -> None:
    before = agreement_of(db, team_id="T1")

    result = agreement_cli(database_url, tmp_path, args[0], "--team", "T1", *args[1:])

    assert result.returncode == 2
    assert result.stderr.startswith("deadline-flag: ") and result.stderr.strip().count("\n") == 0
    assert sentence in result.stderr
    assert result.stdout == ""
    assert agreement_of(db, team_id="T1") == before
