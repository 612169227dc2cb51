"""A digest is posted exactly once per workspace and ISO week, through the real Web API client."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.db import flags as flag_store
from bot.db.models import DigestRun
from bot.digest.send import send_digest
from bot.workspaces import Workspaces
from tests.fake_slack_api import FakeSlackApi

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def add_flag(db: sessionmaker[Session], summary: str = "CSV export by Friday", **fields: object) -> None:
    with db.begin() as session:
        flag_store.add_flag(
            session,
            team_id="T1",
            category="feature_not_problem",
            summary=summary,
            reporter_hash="h" * 64,
            created_at=NOW - timedelta(hours=1),
            **fields,
        )


def send(
    db: sessionmaker[Session], workspaces: Workspaces, *, now: datetime = NOW, force: bool = False, channel: str = "C0LEADS"
):
    return send_digest(db, workspaces, team_id="T1", default_channel=channel, now=now, force=force)


def runs(db: sessionmaker[Session]) -> list[tuple[str, str, str | None]]:
    with db() as session:
        return [(r.iso_week, r.status, r.message_ts) for r in session.scalars(select(DigestRun))]


def test_the_digest_is_posted_to_the_leads_channel_and_recorded(
    db: sessionmaker[Session], workspaces: Workspaces, fake_slack_api: FakeSlackApi
) -> None:
    add_flag(db)

    result = send(db, workspaces)

    assert result.status == "posted"
    [post] = fake_slack_api.calls_to("chat.postMessage")
    assert post.body["channel"] == "C0LEADS"
    assert post.headers["authorization"] == "Bearer xoxb-T1-token"
    assert "CSV export by Friday" in str(post.body["blocks"])
    assert runs(db) == [("2026-W49", "posted", result.message_ts)]


def test_a_second_send_in_the_same_week_posts_nothing_and_says_so(
    db: sessionmaker[Session], workspaces: Workspaces, fake_slack_api: FakeSlackApi
) -> None:
    send(db, workspaces)

    second = send(db, workspaces, now=NOW + timedelta(days=2))

    assert second.status == "already_sent"
    assert "already posted" in second.detail
    assert len(fake_slack_api.calls_to("chat.postMessage")) == 1


def test_force_posts_again(db: sessionmaker[Session], workspaces: Workspaces, fake_slack_api: FakeSlackApi) -> None:
    send(db, workspaces)

    forced = send(db, workspaces, force=True)

    assert forced.status == "posted"
    assert len(fake_slack_api.calls_to("chat.postMessage")) == 2
    assert [(week, status) for week, status, _ in runs(db)] == [("2026-W49", "posted")]


def test_a_failed_post_releases_the_claim_so_the_next_run_posts(
    db: sessionmaker[Session], workspaces: Workspaces, fake_slack_api: FakeSlackApi
) -> None:
    fake_slack_api.fail("chat.postMessage", error="internal_error")

    failed = send(db, workspaces)
    retried = send(db, workspaces, now=NOW + timedelta(minutes=5))

    assert (failed.status, retried.status) == ("failed", "posted")
    assert "internal_error" in failed.detail
    assert len(fake_slack_api.calls_to("chat.postMessage")) == 2
    assert [status for _, status, _ in runs(db)] == ["posted"]


def test_a_rate_limited_post_is_retried_and_posted_once(
    db: sessionmaker[Session], workspaces: Workspaces, fake_slack_api: FakeSlackApi
) -> None:
    fake_slack_api.fail("chat.postMessage", status=429, headers={"Retry-After": "0"}, error="ratelimited")

    result = send(db, workspaces)

    assert result.status == "posted"
    assert len(fake_slack_api.calls_to("chat.postMessage")) == 2  # the 429, then the retry slack_sdk made
    assert [status for _, status, _ in runs(db)] == ["posted"]


def test_the_app_joins_a_public_channel_it_is_not_in(
    db: sessionmaker[Session], workspaces: Workspaces, fake_slack_api: FakeSlackApi
) -> None:
    fake_slack_api.fail("chat.postMessage", error="not_in_channel")

    result = send(db, workspaces)

    assert result.status == "posted"
    [join] = fake_slack_api.calls_to("conversations.join")
    assert join.body["channel"] == "C0LEADS"


def test_a_private_channel_the_app_is_not_in_fails_with_what_to_do(
    db: sessionmaker[Session], workspaces: Workspaces, fake_slack_api: FakeSlackApi
) -> None:
    fake_slack_api.fail("chat.postMessage", error="not_in_channel")
    fake_slack_api.fail("conversations.join", error="method_not_supported_for_channel_type")

    result = send(db, workspaces, channel="G0PRIVATE")

    assert result.status == "failed"
    assert "/invite @deadline-flag" in result.detail
    assert runs(db) == []  # released: the next run tries again once someone invites the app


def test_no_channel_configured_is_reported(
    db: sessionmaker[Session], workspaces: Workspaces, fake_slack_api: FakeSlackApi
) -> None:
    result = send_digest(db, workspaces, team_id="T1", default_channel=None, now=NOW)

    assert result.status == "no_channel"
    assert fake_slack_api.calls_to("chat.postMessage") == []


def test_people_are_named_from_users_info_not_pinged(
    db: sessionmaker[Session], workspaces: Workspaces, fake_slack_api: FakeSlackApi
) -> None:
    fake_slack_api.replies["users.info"] = lambda call: {
        "ok": True,
        "user": {"id": call.body["user"], "profile": {"display_name": "Pat"}},
    }
    add_flag(db, source_user_id="U0BOSS")

    send(db, workspaces)

    [post] = fake_slack_api.calls_to("chat.postMessage")
    assert "Pat" in str(post.body["blocks"])
    assert "U0BOSS" not in str(post.body)


def test_two_senders_at_once_post_exactly_one_digest(
    db: sessionmaker[Session], workspaces: Workspaces, fake_slack_api: FakeSlackApi
) -> None:
    add_flag(db)
    release = fake_slack_api.hold("chat.postMessage")  # both senders are in flight before either posts
    results = []
    senders = [threading.Thread(target=lambda: results.append(send(db, workspaces))) for _ in range(2)]

    for sender in senders:
        sender.start()
    fake_slack_api.wait_for("chat.postMessage")
    release.set()
    for sender in senders:
        sender.join(timeout=30)

    assert sorted(r.status for r in results) == ["already_sent", "posted"]
    assert len(fake_slack_api.calls_to("chat.postMessage")) == 1
