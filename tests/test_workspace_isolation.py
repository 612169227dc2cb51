"""Workspaces are walled off: every query takes a team id, and another team's id finds nothing."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from bot.db import flags as flag_store
from bot.domain import flags
from tests.slack_requests import SlackSender

KEY = b"test-reporter-key"


def test_a_flag_of_workspace_t1_is_invisible_to_queries_for_t2(slack: SlackSender, db: sessionmaker[Session]) -> None:
    slack.command("T1's secret roadmap date", team_id="T1", user_id="U1")

    with db() as session:
        [t1_flag] = flag_store.list_flags(session, team_id="T1")
        assert flag_store.list_flags(session, team_id="T2") == []
        assert flag_store.get_flag(session, team_id="T2", flag_id=t1_flag.id) is None
        assert flag_store.get_flag(session, team_id="T1", flag_id=t1_flag.id) is not None


def test_the_same_user_id_in_two_workspaces_gets_unlinkable_reporter_hashes(db: sessionmaker[Session]) -> None:
    for team_id in ("T1", "T2"):
        report = flags.FlagReport(team_id=team_id, reporter_id="U1", keyword="other", summary="x")
        flags.record_flag(db, report, reporter_key=KEY)

    with db() as session:
        [in_t1] = flag_store.list_flags(session, team_id="T1")
        [in_t2] = flag_store.list_flags(session, team_id="T2")
    assert in_t1.reporter_hash != in_t2.reporter_hash
