"""Leads confirm or do not confirm a reporter's claimed real external constraint, from the flag's status menu: the
review is appended to the flag's history with the lead who made it (never the reporter) and the reply is redrawn."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.blocks import ids
from bot.blocks.outcomes import CONSTRAINT_REVIEW_LABEL, status_menu
from bot.db import flags as flag_store
from bot.db.models import Flag, FlagConstraintReview
from bot.domain.constraint_reviews import review_history
from bot.flows.digest import send_digest
from bot.slack.tokens import Workspaces
from tests.clauses import clause_id
from tests.fake_slack_api import FakeSlackApi
from tests.slack_requests import SlackSender
from tests.views import opened_view, submission

ADMIN, MEMBER = "U0ADMIN", "U0MEMBER"
REPORTER = "U0REPORTER"


@pytest.fixture(autouse=True)
def admins(fake_slack_api: FakeSlackApi) -> None:
    fake_slack_api.replies["users.info"] = lambda call: {
        "ok": True,
        "user": {"id": call.body["user"], "is_admin": call.body["user"] == ADMIN},
    }


class Seeded(NamedTuple):
    id: int  # internal: what the history is kept by
    number: int  # what leads see, and what the menu names


def add_claimed_flag(db: sessionmaker[Session], claim: str | None = "The regulator's filing date") -> Seeded:
    """A flag leads may see (released as it is stored), claiming a real constraint."""
    created = datetime.now(UTC) - timedelta(hours=1)
    deadline = clause_id(db, "deadline")
    with db.begin() as session:
        row = flag_store.add_flag(
            session,
            team_id="T1",
            clause_id=deadline,
            summary="Ship the billing export by the 15th",
            reporter_hash="h" * 64,
            reporter_user_id=None,
            created_at=created,
            released_at=created,
            date_demanded=date(2026, 12, 15),
            external_constraint=claim,
        )
        assert row.number is not None
        return Seeded(row.id, row.number)


def post_digest(db: sessionmaker[Session], workspaces: Workspaces, fake: FakeSlackApi) -> tuple[str, list[dict]]:
    now = datetime.now(UTC) + timedelta(seconds=1)
    assert send_digest(db, workspaces, team_id="T1", default_channel="C0LEADS", now=now).status == "posted"
    reply = next(m for m in fake.posted("C0LEADS") if m.thread_ts and "blocks" in m.body)
    blocks = reply.body["blocks"]
    return reply.ts, json.loads(blocks) if isinstance(blocks, str) else blocks


def pick_review(slack: SlackSender, fake: FakeSlackApi, ts: str, number: int, user_id: str) -> dict:
    """Pick "Review the real constraint…" from the flag's menu in the digest; the form that opens."""
    payload = {
        "type": "block_actions",
        "team": {"id": "T1", "domain": "example"},
        "user": {"id": user_id, "team_id": "T1"},
        "api_app_id": "A1",
        "token": "legacy",
        "trigger_id": "7.7.7",
        "container": {"type": "message", "message_ts": ts, "channel_id": "C0LEADS", "is_ephemeral": False},
        "channel": {"id": "C0LEADS", "name": "leads"},
        "response_url": fake.response_url(f"hooks/{user_id}"),
        "actions": [
            {
                "type": "overflow",
                "action_id": ids.FLAG_STATUS_ACTION,
                "block_id": f"flag:{number}",
                "selected_option": {"value": f"{number}:{ids.CONSTRAINT_REVIEW_OPTION}"},
                "action_ts": "1",
            }
        ],
    }
    assert slack.interaction(payload).status == 200
    return opened_view(fake.wait_for("views.open")[-1])


def verdict_of(db: sessionmaker[Session], flag_id: int) -> str | None:
    with db() as session:
        return session.scalar(select(Flag.constraint_verdict).where(Flag.id == flag_id))


def test_the_status_menu_offers_the_review_only_for_a_flag_that_claims_a_constraint() -> None:
    claimed = [o["text"]["text"] for o in status_menu(1, "open", has_claim=True)["options"]]
    unclaimed = [o["text"]["text"] for o in status_menu(1, "open", has_claim=False)["options"]]

    assert claimed[-1] == CONSTRAINT_REVIEW_LABEL and len(claimed) == 5  # an overflow holds at most five
    assert CONSTRAINT_REVIEW_LABEL not in unclaimed


def test_a_lead_confirms_a_claim_which_is_recorded_without_the_reporter_and_the_reply_redrawn(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session], workspaces: Workspaces
) -> None:
    flag = add_claimed_flag(db)
    ts, blocks = post_digest(db, workspaces, fake_slack_api)
    [menu] = [b["accessory"] for b in blocks if b.get("block_id") == f"flag:{flag.number}"]
    assert f"{flag.number}:{ids.CONSTRAINT_REVIEW_OPTION}" in [o["value"] for o in menu["options"]]

    form = pick_review(slack, fake_slack_api, ts, flag.number, ADMIN)
    slack.interaction(submission(form, {ids.VERDICT_BLOCK: "confirmed"}, user_id=ADMIN))

    [update] = fake_slack_api.wait_for("chat.update")
    assert update.body["ts"] == ts
    assert "(confirmed by a lead)" in json.dumps(update.body)
    assert verdict_of(db, flag.id) == "confirmed"
    [(before, after, reviewed_by, _)] = review_history(db, team_id="T1", flag_id=flag.id)
    assert (before, after, reviewed_by) == (None, "confirmed", ADMIN)
    with db() as session:
        [row] = session.scalars(select(FlagConstraintReview)).all()
        assert "h" * 64 not in str(vars(row)) and REPORTER not in str(vars(row))


def test_a_second_review_changes_the_verdict_and_both_stay_in_the_history(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session], workspaces: Workspaces
) -> None:
    flag = add_claimed_flag(db)
    ts, _ = post_digest(db, workspaces, fake_slack_api)

    for verdict in ("confirmed", "not_confirmed", "not_confirmed"):
        form = pick_review(slack, fake_slack_api, ts, flag.number, ADMIN)
        slack.interaction(submission(form, {ids.VERDICT_BLOCK: verdict}, user_id=ADMIN))
        fake_slack_api.wait_until(lambda v=verdict: verdict_of(db, flag.id) == v)
    fake_slack_api.wait_for("chat.update", count=2)

    history = [(before, after) for before, after, _, _ in review_history(db, team_id="T1", flag_id=flag.id)]
    assert history == [(None, "confirmed"), ("confirmed", "not_confirmed")]  # the same verdict twice is one review


def test_a_member_cannot_review_a_claim_and_is_told_so(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session], workspaces: Workspaces
) -> None:
    flag = add_claimed_flag(db)
    ts, _ = post_digest(db, workspaces, fake_slack_api)

    form = pick_review(slack, fake_slack_api, ts, flag.number, MEMBER)
    slack.interaction(submission(form, {ids.VERDICT_BLOCK: "confirmed"}, user_id=MEMBER))

    [refusal] = fake_slack_api.wait_for(f"hooks/{MEMBER}")
    assert "Only workspace admins, owners and the leads list" in refusal.body["text"]
    assert verdict_of(db, flag.id) is None
    assert review_history(db, team_id="T1", flag_id=flag.id) == []


def test_the_review_form_shows_nothing_of_the_flag(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session], workspaces: Workspaces
) -> None:
    flag = add_claimed_flag(db)
    ts, _ = post_digest(db, workspaces, fake_slack_api)

    form = pick_review(slack, fake_slack_api, ts, flag.number, MEMBER)

    assert "regulator" not in json.dumps(form) and "billing" not in json.dumps(form)


def test_a_flag_whose_claim_was_removed_cannot_be_reviewed_and_the_lead_is_told(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session], workspaces: Workspaces
) -> None:
    flag = add_claimed_flag(db)
    ts, _ = post_digest(db, workspaces, fake_slack_api)
    form = pick_review(slack, fake_slack_api, ts, flag.number, ADMIN)
    with db.begin() as session:  # the reporter edited the claim away meanwhile
        session.get(Flag, flag.id).external_constraint = None  # type: ignore[union-attr]

    slack.interaction(submission(form, {ids.VERDICT_BLOCK: "confirmed"}, user_id=ADMIN))

    [refusal] = fake_slack_api.wait_for(f"hooks/{ADMIN}")
    assert "claims no real external constraint" in refusal.body["text"]
    assert verdict_of(db, flag.id) is None
