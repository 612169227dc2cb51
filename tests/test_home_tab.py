"""The Home tab: a button to flag, the user's own flags (and nobody else's), the workspace's week in counts."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.blocks import ids
from bot.db import flags as flag_store
from bot.domain.reporters import reporter_hash
from tests.clauses import clause_id
from tests.fake_slack_api import FakeSlackApi
from tests.markup import live_markup
from tests.slack_requests import SlackSender
from tests.views import block_action, opened_view, submission

KEY = b"test-reporter-key"  # the settings fixture's REPORTER_KEY


def seed(
    db: sessionmaker[Session],
    count: int,
    *,
    team_id: str = "T1",
    user_id: str = "U1",
    keyword: str = "deadline",
    age: timedelta = timedelta(hours=1),
    text: str = "flag",
) -> None:
    created = datetime.now(UTC) - age
    clause = clause_id(db, keyword, team_id)
    with db.begin() as session:
        for i in range(count):
            flag_store.add_flag(
                session,
                team_id=team_id,
                clause_id=clause,
                summary=f"{text} {i}",
                reporter_hash=reporter_hash(KEY, team_id=team_id, user_id=user_id),
                created_at=created - timedelta(seconds=i),
                released_at=created - timedelta(seconds=i),  # stored released, as flags stored before holding
            )


def open_home(slack: SlackSender, fake: FakeSlackApi, user_id: str = "U1", team_id: str = "T1") -> dict:
    reply = slack.event(
        {"type": "app_home_opened", "user": user_id, "channel": "D1", "tab": "home", "event_ts": "1.1"}, team_id=team_id
    )
    assert reply.status == 200
    [call] = fake.wait_for("views.publish")
    assert call.body["user_id"] == user_id
    view = call.body["view"]
    return json.loads(view) if isinstance(view, str) else view


def text_of(view: dict) -> str:
    return json.dumps(view)


def test_home_for_a_user_with_no_flags_offers_the_flag_button(slack: SlackSender, fake_slack_api: FakeSlackApi) -> None:
    view = open_home(slack, fake_slack_api)

    assert view["type"] == "home"
    assert ids.NEW_FLAG_ACTION in text_of(view)
    assert "You have not flagged anything yet" in text_of(view)
    assert ids.WITHDRAW_FLAG_ACTION not in text_of(view)


def test_home_shows_the_users_own_flag_with_status_edit_and_withdraw(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    seed(db, 1, text="<!channel> my own")

    view = open_home(slack, fake_slack_api)

    assert "&lt;!channel&gt; my own 0" in text_of(view)
    assert "Open" in text_of(view)
    assert text_of(view).count(ids.EDIT_FLAG_ACTION) == 1
    assert text_of(view).count(ids.WITHDRAW_FLAG_ACTION) == 1
    assert live_markup(view) == []


def test_home_with_300_flags_shows_the_newest_20_and_says_how_many_more(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    seed(db, 300)

    view = open_home(slack, fake_slack_api)

    # home_view cuts its blocks at Slack's 100 itself, so what to check is that the cut took nothing: the view
    # still ends with the outcome-DMs checkbox that follows the list.
    last = view["blocks"][-1]
    assert last["type"] == "actions" and last["elements"][0]["action_id"] == ids.OUTCOME_DMS_ACTION
    assert "280 more not shown" in text_of(view)
    assert "flag 0" in text_of(view)  # the newest first
    assert "flag 299" not in text_of(view)


def seed_a_workspace_week(db: sessionmaker[Session]) -> None:
    seed(db, 2, user_id="U1", text="mine")
    seed(db, 3, user_id="U2", keyword="feature", text="colleague's secret")
    seed(db, 4, user_id="U2", age=timedelta(days=9), text="last month")
    seed(db, 5, team_id="T2", user_id="U1", text="other workspace")


def test_home_never_shows_other_peoples_flags(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    seed_a_workspace_week(db)

    view = open_home(slack, fake_slack_api)

    assert "mine 0" in text_of(view)
    assert "colleague's secret" not in text_of(view)
    assert "other workspace" not in text_of(view)


def test_home_counts_the_whole_workspaces_last_7_days_by_side_and_clause(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    seed_a_workspace_week(db)
    seed(db, 1, user_id="U3", keyword="explain", text="declined without a reason")

    view = open_home(slack, fake_slack_api)

    assert "*6* flags in the last 7 days" in text_of(view)
    assert "Product's side: *5* (No artificial deadlines 2, Problems, not features 3)" in text_of(view)
    assert "Tech's side: *1* (Give the estate's reason for a delay or a no 1)" in text_of(view)


def test_the_messages_tab_does_not_publish_the_home_view(slack: SlackSender, fake_slack_api: FakeSlackApi) -> None:
    slack.event({"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "messages", "event_ts": "1.1"})
    slack.event({"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "home", "event_ts": "1.2"}, event_id="Ev2")

    assert len(fake_slack_api.wait_for("views.publish")) == 1


def test_flag_something_on_home_opens_the_modal_and_the_new_flag_republishes_home(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    slack.interaction(block_action(ids.NEW_FLAG_ACTION, "", from_home=True))
    view = opened_view(fake_slack_api.wait_for("views.open")[0])

    slack.interaction(submission(view, {ids.SUMMARY_BLOCK: "from home"}))

    [publish] = fake_slack_api.wait_for("views.publish")
    assert "from home" in json.dumps(publish.body)


def test_withdraw_from_home_deletes_the_flag_and_republishes_home(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    seed(db, 1)
    with db() as session:
        [flag] = flag_store.list_flags(session, team_id="T1")

    slack.interaction(block_action(ids.WITHDRAW_FLAG_ACTION, str(flag.id), team_id="T1", from_home=True))

    [publish] = fake_slack_api.wait_for("views.publish")
    assert "You have not flagged anything yet" in json.dumps(publish.body)
    with db() as session:
        assert flag_store.list_flags(session, team_id="T1") == []


def test_withdraw_from_home_in_another_workspace_deletes_nothing_and_says_so_by_dm(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    seed(db, 1)
    with db() as session:
        [flag] = flag_store.list_flags(session, team_id="T1")

    slack.interaction(block_action(ids.WITHDRAW_FLAG_ACTION, str(flag.id), team_id="T2", from_home=True))

    [dm] = fake_slack_api.wait_for("chat.postMessage")  # no response_url on Home: the refusal is a DM
    assert dm.body["channel"] == "U1"
    with db() as session:
        assert len(flag_store.list_flags(session, team_id="T1")) == 1
