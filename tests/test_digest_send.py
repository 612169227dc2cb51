"""A digest is posted exactly once per workspace and ISO week, through the real Web API client: a summary message
and the flags in replies in its thread, each within Slack's limits, against a stand-in as strict as Slack."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.blocks.digest import FLAG_REPLY_TEXT_MAX
from bot.db import flags as flag_store
from bot.db.models import DigestMessage, DigestMessageFlag, DigestRun
from bot.domain.digest import LISTED_FLAGS_MAX
from bot.domain.workspace_settings import change_settings
from bot.flows.digest import send_digest
from bot.slack.tokens import Workspaces
from tests.clauses import clause_id
from tests.fake_slack_api import FakeSlackApi
from tests.markup import block_text_length

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def add_flag(db: sessionmaker[Session], summary: str = "CSV export by Friday", **fields: object) -> None:
    feature = clause_id(db, "feature")
    with db.begin() as session:
        flag_store.add_flag(
            session,
            team_id="T1",
            clause_id=feature,
            summary=summary,
            reporter_hash="h" * 64,
            created_at=NOW - timedelta(hours=1),
            released_at=NOW - timedelta(hours=1),  # stored released, as flags stored before holding
            **fields,
        )


def send(
    db: sessionmaker[Session], workspaces: Workspaces, *, now: datetime = NOW, force: bool = False, channel: str = "C0LEADS"
):
    return send_digest(db, workspaces, team_id="T1", default_channel=channel, now=now, force=force)


def runs(db: sessionmaker[Session]) -> list[tuple[str, str, str | None]]:
    with db() as session:
        return [(r.iso_week, r.status, r.message_ts) for r in session.scalars(select(DigestRun))]


def listed(db: sessionmaker[Session]) -> list[tuple[int, list[int]]]:
    """(part, flag ids) of every digest message recorded."""
    with db() as session:
        messages = session.scalars(select(DigestMessage).order_by(DigestMessage.part)).all()
        links = session.scalars(select(DigestMessageFlag).order_by(DigestMessageFlag.position)).all()
        return [(m.part, [link.flag_id for link in links if link.message_id == m.id]) for m in messages]


def test_the_digest_is_a_summary_in_the_leads_channel_with_its_flags_in_the_thread(
    db: sessionmaker[Session], workspaces: Workspaces, fake_slack_api: FakeSlackApi
) -> None:
    add_flag(db)

    result = send(db, workspaces)

    assert result.status == "posted"
    summary, reply = fake_slack_api.posted("C0LEADS")
    assert summary.thread_ts is None and reply.thread_ts == summary.ts == result.message_ts
    assert fake_slack_api.calls_to("chat.postMessage")[0].headers["authorization"] == "Bearer xoxb-T1-token"
    assert "CSV export by Friday" not in str(summary.body) and "CSV export by Friday" in str(reply.body["blocks"])
    assert runs(db) == [("2026-W49", "posted", result.message_ts)]
    assert listed(db) == [(0, []), (1, [1])]


@pytest.mark.parametrize("count", [0, 1, 40, 200, 5000])
def test_any_week_posts_through_the_strict_stand_in_each_message_within_its_margin(
    db: sessionmaker[Session], workspaces: Workspaces, fake_slack_api: FakeSlackApi, count: int
) -> None:
    hostile = "<!channel> & <@U1> " + "ship the payload by Friday, the board wants it. " * 60
    deadline = clause_id(db, "deadline")
    with db.begin() as session:
        for i in range(count):
            flag_store.add_flag(
                session,
                team_id="T1",
                clause_id=deadline,
                summary=hostile[: 300 + i % 2700],
                source_text=hostile[:200],
                external_constraint=hostile[:200],
                reporter_hash="h" * 64,
                created_at=NOW - timedelta(minutes=1 + i),
                released_at=NOW - timedelta(minutes=1 + i),  # stored released, as flags stored before holding
            )

    result = send(db, workspaces)

    assert result.status == "posted", result.detail
    assert fake_slack_api.refusals == []
    posted = fake_slack_api.posted("C0LEADS")
    sizes = [block_text_length(message.body["blocks"]) for message in posted]
    assert max(sizes) <= FLAG_REPLY_TEXT_MAX
    assert all(len(message.body["text"]) <= 200 for message in posted)
    listed_ids = [flag_id for _, ids in listed(db) for flag_id in ids]
    assert len(listed_ids) == len(set(listed_ids)) == min(count, LISTED_FLAGS_MAX)
    assert len(posted) == 1 + len(listed(db)[1:])


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
    fake_slack_api.add_channel("C0PUBLIC", is_member=False)

    result = send(db, workspaces, channel="C0PUBLIC")

    assert result.status == "posted"
    [join] = fake_slack_api.calls_to("conversations.join")
    assert join.body["channel"] == "C0PUBLIC"


@pytest.mark.parametrize(
    "channel, what_to_do",
    [
        ({"is_private": True, "is_member": False}, "/invite @deadline-flag"),  # Slack: channel_not_found
        ({"is_archived": True}, "is archived"),
        ({"is_ext_shared": True}, "shared with another organisation"),
        (None, "/invite @deadline-flag"),  # deleted, or never visible to the app
    ],
)
def test_a_channel_the_app_cannot_use_fails_the_week_once_and_tells_the_admin_who_chose_it(
    db: sessionmaker[Session], workspaces: Workspaces, fake_slack_api: FakeSlackApi, channel: dict | None, what_to_do: str
) -> None:
    if channel is not None:
        fake_slack_api.add_channel("G0DIGEST", **channel)
    change_settings(
        db, team_id="T1", now=NOW - timedelta(days=1), default_channel=None, channel_id="G0DIGEST", changed_by="UADMIN"
    )

    first = send(db, workspaces, channel=None)
    later_ticks = [send(db, workspaces, channel=None, now=NOW + timedelta(minutes=5 * i)) for i in range(1, 4)]

    assert first.status == "failed" and what_to_do in first.detail
    assert {r.status for r in later_ticks} == {"already_sent"}  # not retried all week
    assert fake_slack_api.calls_to("conversations.join") == []  # never tries to join a channel that is not public
    assert fake_slack_api.posted("G0DIGEST") == []
    [told] = [m for m in fake_slack_api.posted() if m.channel == "DADMIN"]
    assert what_to_do in str(told.body["blocks"])
    assert [(week, status) for week, status, _ in runs(db)] == [("2026-W49", "failed")]


def test_a_failed_week_is_tried_again_once_the_settings_change(
    db: sessionmaker[Session], workspaces: Workspaces, fake_slack_api: FakeSlackApi
) -> None:
    fake_slack_api.add_channel("G0DIGEST", is_private=True, is_member=False)
    change_settings(db, team_id="T1", now=NOW - timedelta(days=1), default_channel=None, channel_id="G0DIGEST")
    assert send(db, workspaces, channel=None).status == "failed"

    change_settings(db, team_id="T1", now=NOW + timedelta(minutes=7), default_channel=None, channel_id="C0LEADS")
    retried = send(db, workspaces, channel=None, now=NOW + timedelta(minutes=10))

    assert retried.status == "posted"
    assert runs(db)[0][:2] == ("2026-W49", "posted")


def test_a_shared_channel_an_admin_confirmed_is_used(
    db: sessionmaker[Session], workspaces: Workspaces, fake_slack_api: FakeSlackApi
) -> None:
    fake_slack_api.add_channel("C0SHARED", is_ext_shared=True)
    change_settings(
        db, team_id="T1", now=NOW - timedelta(days=1), default_channel=None, channel_id="C0SHARED", allow_shared=True
    )

    assert send(db, workspaces, channel=None).status == "posted"


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

    summary, reply = fake_slack_api.posted("C0LEADS")
    assert "Pat" in str(reply.body["blocks"])
    assert "U0BOSS" not in str(summary.body) + str(reply.body)


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
    assert len(fake_slack_api.calls_to("chat.postMessage")) == 2  # one summary, one reply
