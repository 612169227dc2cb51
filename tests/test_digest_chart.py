"""The digest's trend chart goes into its thread with files_upload_v2, through the strict stand-in; whatever fails
on the way, the digest is posted all the same, with its text sparklines."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.chart import HEIGHT_PX, WIDTH_PX
from bot.db import flags as flag_store
from bot.db.models import DigestRun
from bot.flows.digest import send_digest
from bot.slack.tokens import Workspaces
from tests.clauses import clause_id
from tests.fake_slack_api import FakeSlackApi

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def flags(db: sessionmaker[Session]) -> None:
    deadline = clause_id(db, "deadline")
    with db.begin() as session:
        for hours in (1, 30, 200, 700):
            flag_store.add_flag(
                session,
                team_id="T1",
                clause_id=deadline,
                summary="Billing by Friday",
                reporter_hash="h" * 64,
                created_at=NOW - timedelta(hours=hours),
                released_at=NOW - timedelta(hours=hours),
            )


def send(db: sessionmaker[Session], workspaces: Workspaces):
    return send_digest(db, workspaces, team_id="T1", default_channel="C0LEADS", now=NOW)


def run_status(db: sessionmaker[Session]) -> str:
    with db() as session:
        return session.scalars(select(DigestRun.status)).one()


def test_the_trend_chart_is_the_first_thing_in_the_digests_thread(
    db: sessionmaker[Session], workspaces: Workspaces, fake_slack_api: FakeSlackApi
) -> None:
    result = send(db, workspaces)

    assert result.status == "posted"
    [chart] = fake_slack_api.shared_files("C0LEADS")
    assert chart.thread_ts == result.message_ts
    assert Image.open(io.BytesIO(chart.data or b"")).size == (WIDTH_PX, HEIGHT_PX)
    assert chart.alt_txt and "Flags a week, oldest first: 0, 0, 0, 1, 0, 0, 1, 2." in chart.alt_txt
    order = [c.method for c in fake_slack_api.calls if c.method in ("chat.postMessage", "files.completeUploadExternal")]
    assert order == ["chat.postMessage", "files.completeUploadExternal", "chat.postMessage"]  # summary, chart, flags


@pytest.mark.parametrize(
    ("method", "failure"),
    [
        ("files.getUploadURLExternal", {"error": "missing_scope"}),  # installed before files:write was asked for
        ("upload/F0001", {"status": 500}),
        ("files.completeUploadExternal", {"error": "not_in_channel"}),
    ],
    ids=["no upload URL", "upload refused", "completion refused"],
)
def test_a_failed_upload_still_posts_the_digest_with_its_sparklines(
    db: sessionmaker[Session], workspaces: Workspaces, fake_slack_api: FakeSlackApi, method: str, failure: dict
) -> None:
    fake_slack_api.fail(method, **failure)

    result = send(db, workspaces)

    assert result.status == "posted" and "no chart" in result.detail
    assert fake_slack_api.shared_files() == []
    summary, reply = fake_slack_api.posted("C0LEADS")
    assert "▁" in json.dumps(summary.body, ensure_ascii=False)  # the text sparklines
    assert reply.thread_ts == summary.ts and "Billing by Friday" in json.dumps(reply.body)
    assert run_status(db) == "posted"


def test_a_chart_that_cannot_be_drawn_still_posts_the_digest(
    db: sessionmaker[Session], workspaces: Workspaces, fake_slack_api: FakeSlackApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.chart

    def broken(learnings: object) -> bytes:
        raise RuntimeError("no fonts")

    monkeypatch.setattr(bot.chart, "trend_png", broken)

    result = send(db, workspaces)

    assert result.status == "posted"
    assert fake_slack_api.calls_to("files.getUploadURLExternal") == []
    assert len(fake_slack_api.posted("C0LEADS")) == 2
