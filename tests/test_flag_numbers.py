"""Flags are numbered per workspace, in everything users see: a receipt's `#` says nothing of other workspaces."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from alembic import command
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from bot.db import flags as flag_store
from bot.db.migrate import alembic_config
from bot.domain import flags
from bot.domain.export import export_rows
from tests.fake_slack_api import FakeSlackApi
from tests.holding import show_at_once
from tests.slack_requests import SlackSender
from tests.views import block_action

KEY = b"test-reporter-key"


@pytest.fixture
def released_at_once(db: sessionmaker[Session]) -> None:
    """A flag gets its number when it is released: here, as it is stored (min_reporters 1), so these tests see
    numbers given in the order flags come (with holding on, a batch is numbered in a shuffled order at release)."""
    show_at_once(db, "T1", "T2")


def record(db: sessionmaker[Session], team_id: str, summary: str = "flag") -> flags.RecordedFlag:
    report = flags.FlagReport(team_id=team_id, reporter_id="U1", keyword="other", summary=summary)
    return flags.record_flag(db, report, reporter_key=KEY)


@pytest.mark.usefixtures("released_at_once")
def test_each_workspace_counts_its_own_flags_from_one(db: sessionmaker[Session]) -> None:
    for _ in range(3):
        record(db, "T1")

    first_in_t2 = record(db, "T2")

    assert first_in_t2.number == 1 and first_in_t2.id == 4
    assert [row["number"] for row in export_rows(db, team_id="T1")] == ["1", "2", "3"]


@pytest.mark.usefixtures("released_at_once")
def test_the_receipt_shows_the_workspaces_number_not_the_internal_id(slack: SlackSender, db: sessionmaker[Session]) -> None:
    for _ in range(5):
        record(db, "T1")

    receipt = slack.command("ship it by Friday", team_id="T2").text

    assert "flag #1)" in receipt and "#6" not in receipt


@pytest.mark.usefixtures("released_at_once")
def test_the_withdraw_confirmation_and_result_name_the_number(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    for _ in range(5):
        record(db, "T1")
    receipt = slack.command("ship it by Friday", team_id="T2").json()
    [actions] = [b for b in receipt["blocks"] if b["type"] == "actions"]
    withdraw = next(e for e in actions["elements"] if e["action_id"] == "flag_withdraw")

    slack.interaction(block_action("flag_withdraw", withdraw["value"], team_id="T2", response_url=slack.response_url))

    assert "Flag #1 will be deleted" in withdraw["confirm"]["text"]["text"]
    [withdrawn] = fake_slack_api.wait_for("hooks/1")
    assert "Flag #1 was withdrawn" in withdrawn.body["text"]


@pytest.mark.usefixtures("released_at_once")
def test_a_withdrawn_flags_number_is_not_given_again(db: sessionmaker[Session]) -> None:
    record(db, "T1")
    second = record(db, "T1")
    flags.withdraw_flag(db, team_id="T1", flag_id=second.id, reporter_id="U1", reporter_key=KEY)

    assert record(db, "T1").number == 3


@pytest.mark.usefixtures("released_at_once")
def test_concurrent_flags_in_one_workspace_get_distinct_numbers(db: sessionmaker[Session]) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        recorded = list(pool.map(lambda i: record(db, "T1" if i % 4 else "T2", f"flag {i}"), range(40)))

    t1 = sorted(f.number for f in recorded if f.team_id == "T1")
    t2 = sorted(f.number for f in recorded if f.team_id == "T2")
    assert t1 == list(range(1, 31)) and t2 == list(range(1, 11))


def test_upgrading_numbers_existing_flags_by_workspace_in_id_order(database_url: str, engine: Engine) -> None:
    config = alembic_config(database_url)
    command.downgrade(config, "0008")
    insert = text(
        "INSERT INTO flags (team_id, category, summary, reporter_hash, reporter_named, status, created_at)"
        " VALUES (:team, 'other', :summary, 'h', false, 'open', '2026-11-01 10:00:00')"
    )
    with engine.begin() as connection:
        for team, summary in (("T1", "a"), ("T2", "b"), ("T1", "c"), ("T2", "d"), ("T1", "e")):
            connection.execute(insert, {"team": team, "summary": summary})

    command.upgrade(config, "head")

    db = sessionmaker(engine)
    with db() as session:
        rows = [f for team_id in ("T1", "T2") for f in flag_store.list_flags(session, team_id=team_id)]
        numbered = {(f.team_id, f.summary): f.number for f in rows}
    assert numbered == {("T1", "a"): 1, ("T1", "c"): 2, ("T1", "e"): 3, ("T2", "b"): 1, ("T2", "d"): 2}
    show_at_once(db, "T1", "T2")  # the next flags are released, so numbered, as they are stored
    assert record(db, "T1").number == 4 and record(db, "T2").number == 3  # the counters start after them
