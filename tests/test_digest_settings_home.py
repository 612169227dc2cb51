"""Workspace admins (and only they) change the digest's channel, day, hour and timezone from the Home tab."""

from __future__ import annotations

import json
import logging
import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.blocks import ids
from bot.db.models import WorkspaceSettings
from bot.domain.workspace_settings import change_settings, effective_retention_days, effective_schedule, list_leads
from tests.fake_slack_api import FakeSlackApi
from tests.slack_requests import SlackSender
from tests.views import block_action, opened_view, submission

NOW = datetime(2026, 11, 30, 9, tzinfo=UTC)

ADMIN, MEMBER = "U0ADMIN", "U0MEMBER"


@pytest.fixture(autouse=True)
def admins(fake_slack_api: FakeSlackApi) -> None:
    fake_slack_api.replies["users.info"] = lambda call: {
        "ok": True,
        "user": {"id": call.body["user"], "is_admin": call.body["user"] == ADMIN, "is_owner": False},
    }


def home_for(slack: SlackSender, fake: FakeSlackApi, user_id: str) -> str:
    slack.event({"type": "app_home_opened", "user": user_id, "tab": "home"})
    return json.dumps(fake.wait_for("views.publish")[-1].body["view"])


def open_settings(slack: SlackSender, fake: FakeSlackApi, user_id: str = ADMIN) -> dict:
    """Click "Change": a "checking" view opens at once, then the form (or a refusal) replaces it."""
    count = len(fake.calls_to("views.update")) + 1
    slack.interaction(block_action(ids.DIGEST_SETTINGS_ACTION, "", user_id=user_id, from_home=True))
    return opened_view(fake.wait_for("views.update", count=count)[-1])


def test_admins_see_the_digest_settings_and_members_do_not(slack: SlackSender, fake_slack_api: FakeSlackApi) -> None:
    assert ids.DIGEST_SETTINGS_ACTION in home_for(slack, fake_slack_api, ADMIN)
    fake_slack_api.calls.clear()
    assert ids.DIGEST_SETTINGS_ACTION not in home_for(slack, fake_slack_api, MEMBER)


def test_an_admin_saves_settings_and_the_app_joins_the_channel(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    fake_slack_api.add_channel("C0NEW", is_member=False)
    view = open_settings(slack, fake_slack_api)
    answers = {
        ids.DIGEST_CHANNEL_BLOCK: "C0NEW",
        ids.DIGEST_WEEKDAY_BLOCK: "fri",
        ids.DIGEST_HOUR_BLOCK: "16",
        ids.DIGEST_TIMEZONE_BLOCK: "Europe/Paris",
    }

    reply = slack.interaction(submission(view, answers, user_id=ADMIN))

    assert reply.status == 200 and reply.text == ""
    fake_slack_api.wait_for("views.publish")  # Home is republished once everything is saved
    [join] = fake_slack_api.calls_to("conversations.join")
    assert join.body["channel"] == "C0NEW"
    schedule = effective_schedule(db, team_id="T1", default_channel=None)
    assert (schedule.channel_id, schedule.weekday, schedule.hour, schedule.timezone) == ("C0NEW", 4, 16, "Europe/Paris")


def test_a_private_channel_the_app_is_not_in_tells_the_admin_what_to_do_and_is_never_joined(
    slack: SlackSender, fake_slack_api: FakeSlackApi
) -> None:
    fake_slack_api.add_channel("G0PRIVATE", is_private=True, is_member=False)
    view = open_settings(slack, fake_slack_api)

    slack.interaction(submission(view, {ids.DIGEST_CHANNEL_BLOCK: "G0PRIVATE"}, user_id=ADMIN))

    [dm] = fake_slack_api.wait_for("chat.postMessage")
    assert dm.body["channel"] == ADMIN
    assert "/invite @deadline-flag" in dm.body["text"]
    assert fake_slack_api.calls_to("conversations.join") == []


def test_the_form_opens_within_the_triggers_life_while_slack_is_slow_to_say_who_is_an_admin(
    slack: SlackSender, fake_slack_api: FakeSlackApi
) -> None:
    slow = fake_slack_api.hold("users.info")  # longer than a trigger_id lives
    slack.interaction(block_action(ids.DIGEST_SETTINGS_ACTION, "", user_id=ADMIN, from_home=True))
    [opened] = fake_slack_api.wait_for("views.open")
    threading.Timer(3.5, slow.set).start()

    [form] = fake_slack_api.wait_for("views.update", timeout=10)

    assert fake_slack_api.refusals == []  # views.open came in time: no expired_trigger_id
    assert "Checking" in json.dumps(opened_view(opened))
    assert form.body["view_id"].startswith("V")
    assert ids.DIGEST_CHANNEL_BLOCK in json.dumps(opened_view(form))


def test_a_rate_limited_admin_check_says_try_again_rather_than_no(slack: SlackSender, fake_slack_api: FakeSlackApi) -> None:
    fake_slack_api.rate_limit("users.info", retry_after=0, times=5)  # past the client's own retries

    refused = open_settings(slack, fake_slack_api)

    assert "try again in a moment" in json.dumps(refused)
    assert "Only workspace admins" not in json.dumps(refused)


def test_a_channel_shared_with_another_organisation_is_refused_beside_the_field_unless_confirmed(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    fake_slack_api.add_channel("C0SHARED", is_ext_shared=True)
    view = open_settings(slack, fake_slack_api)

    refused = slack.interaction(submission(view, {ids.DIGEST_CHANNEL_BLOCK: "C0SHARED"}, user_id=ADMIN))
    saved = slack.interaction(
        submission(
            view, {ids.DIGEST_CHANNEL_BLOCK: "C0SHARED", ids.DIGEST_SHARED_OK_BLOCK: [ids.DIGEST_SHARED_OK]}, user_id=ADMIN
        )
    )

    assert "shared with another organisation" in refused.json()["errors"][ids.DIGEST_CHANNEL_BLOCK]
    assert saved.status == 200 and saved.text == ""
    fake_slack_api.wait_for("views.publish")
    schedule = effective_schedule(db, team_id="T1", default_channel=None)
    assert (schedule.channel_id, schedule.channel_shared_ok) == ("C0SHARED", True)


def test_an_unknown_timezone_is_an_error_beside_the_field(slack: SlackSender, fake_slack_api: FakeSlackApi, db) -> None:
    view = open_settings(slack, fake_slack_api)

    reply = slack.interaction(submission(view, {ids.DIGEST_TIMEZONE_BLOCK: "Mars/Olympus"}, user_id=ADMIN))

    assert list(reply.json()["errors"]) == [ids.DIGEST_TIMEZONE_BLOCK]
    assert effective_schedule(db, team_id="T1", default_channel=None).timezone == "UTC"


def test_an_hour_or_channel_slack_would_not_offer_is_an_error_beside_its_field_and_nothing_is_saved(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session], caplog: pytest.LogCaptureFixture
) -> None:
    view = open_settings(slack, fake_slack_api)
    payload = submission(view, {ids.DIGEST_CHANNEL_BLOCK: "D0DIRECT"}, user_id=ADMIN)
    payload["view"]["state"]["values"][ids.DIGEST_HOUR_BLOCK][ids.VALUE]["selected_option"] = {"value": "²"}

    reply = slack.interaction(payload)

    assert sorted(reply.json()["errors"]) == sorted([ids.DIGEST_CHANNEL_BLOCK, ids.DIGEST_HOUR_BLOCK])
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert effective_schedule(db, team_id="T1", default_channel=None).channel_id is None


def test_settings_submitted_without_a_workspace_are_refused_and_nothing_is_saved(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    view = open_settings(slack, fake_slack_api)
    payload = submission(view, {ids.DIGEST_CHANNEL_BLOCK: "C0LEADS"}, user_id=ADMIN)
    # An org-wide install's view_submission: no team, and here no user.team_id or view.team_id either.
    payload.update(team=None, user={"id": ADMIN}, is_enterprise_install=True, enterprise={"id": "E0GRID"})
    del payload["view"]["team_id"]

    reply = slack.interaction(payload)

    assert list(reply.json()["errors"]) == [ids.DIGEST_CHANNEL_BLOCK]
    with db() as session:
        assert session.scalars(select(WorkspaceSettings)).all() == []


def test_a_member_cannot_open_or_submit_the_settings(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    admin_view = open_settings(slack, fake_slack_api)
    member_view = open_settings(slack, fake_slack_api, user_id=MEMBER)

    slack.interaction(submission(admin_view, {ids.DIGEST_CHANNEL_BLOCK: "C0HIJACK"}, user_id=MEMBER))

    assert "Only workspace admins and owners" in json.dumps(member_view)
    assert ids.DIGEST_CHANNEL_BLOCK not in json.dumps(member_view)  # the member never sees the settings
    [refusal] = fake_slack_api.wait_for("chat.postMessage")  # the member is refused again on submit
    assert "Only workspace admins and owners" in refusal.body["text"]
    assert effective_schedule(db, team_id="T1", default_channel=None).channel_id is None


def test_admins_see_on_home_why_this_weeks_digest_was_not_posted_and_members_do_not(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session], config
) -> None:
    from datetime import UTC, datetime

    from bot.domain.workspace_settings import change_settings
    from bot.flows.digest import send_digest
    from bot.slack.tokens import workspaces_for

    fake_slack_api.add_channel("C0OLD", is_archived=True)
    change_settings(db, team_id="T1", now=datetime(2026, 1, 1, tzinfo=UTC), default_channel=None, channel_id="C0OLD")
    result = send_digest(db, workspaces_for(config), team_id="T1", default_channel=None, now=datetime.now(UTC))
    assert result.status == "failed"

    admin_home = home_for(slack, fake_slack_api, ADMIN)
    slack.event({"type": "app_home_opened", "user": MEMBER, "tab": "home"})
    member_home = json.dumps(fake_slack_api.wait_for("views.publish", count=2)[1].body["view"])

    assert "This week's digest was not posted." in admin_home and "is archived" in admin_home
    assert "not posted" not in member_home


def test_the_settings_form_opens_with_the_current_leads_and_retention(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    change_settings(db, team_id="T1", now=NOW, lead_ids=["U0OLDLEAD"])
    change_settings(db, team_id="T1", now=datetime.now(UTC), default_channel=None, retention_days=90)

    view = open_settings(slack, fake_slack_api)

    assert field(view, ids.LEADS_BLOCK)["element"]["initial_users"] == ["U0OLDLEAD"]
    assert field(view, ids.RETENTION_BLOCK)["element"]["initial_value"] == "90"  # not the default 365


def test_an_admin_sets_the_leads_and_the_retention_in_the_settings_form(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    change_settings(db, team_id="T1", now=NOW, lead_ids=["U0OLDLEAD"])
    view = open_settings(slack, fake_slack_api)

    reply = slack.interaction(
        submission(view, {ids.LEADS_BLOCK: ["U0LEAD1", "U0LEAD2"], ids.RETENTION_BLOCK: "90"}, user_id=ADMIN)
    )

    assert reply.status == 200 and reply.text == ""
    fake_slack_api.wait_for("views.publish")
    assert sorted(list_leads(db, team_id="T1")) == ["U0LEAD1", "U0LEAD2"]
    assert effective_retention_days(db, team_id="T1") == 90
    assert list_leads(db, team_id="T2") == [] and effective_retention_days(db, team_id="T2") == 365


def test_emptying_the_leads_field_leaves_admins_and_owners_only(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    change_settings(db, team_id="T1", now=NOW, lead_ids=["U0OLDLEAD"])
    view = open_settings(slack, fake_slack_api)

    slack.interaction(submission(view, {ids.LEADS_BLOCK: []}, user_id=ADMIN))

    fake_slack_api.wait_for("views.publish")
    assert list_leads(db, team_id="T1") == []


@pytest.mark.parametrize("retention", ["3", "4000", "30.5", "ninety", "", "²"])
def test_a_retention_that_is_not_7_to_3650_whole_days_is_an_error_beside_the_field(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session], retention: str
) -> None:
    view = open_settings(slack, fake_slack_api)

    reply = slack.interaction(submission(view, {ids.RETENTION_BLOCK: retention, ids.LEADS_BLOCK: ["U0LEAD"]}, user_id=ADMIN))

    assert list(reply.json()["errors"]) == [ids.RETENTION_BLOCK]
    assert effective_retention_days(db, team_id="T1") == 365 and list_leads(db, team_id="T1") == []


def test_leads_that_are_not_user_ids_are_an_error_beside_the_field(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    view = open_settings(slack, fake_slack_api)

    reply = slack.interaction(submission(view, {ids.LEADS_BLOCK: ["U0LEAD", "C0CHANNEL"]}, user_id=ADMIN))

    assert list(reply.json()["errors"]) == [ids.LEADS_BLOCK]
    assert list_leads(db, team_id="T1") == []


def field(view: dict, block_id: str) -> dict:
    [block] = [b for b in view["blocks"] if b.get("block_id") == block_id]
    return block


def test_admins_see_on_home_that_this_weeks_digest_may_not_have_been_posted_when_its_summary_went_unrecorded(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session], config
) -> None:
    from datetime import UTC, datetime

    from bot.db import digests as digest_store
    from bot.domain.digest import rolling_week
    from bot.domain.workspace_settings import change_settings, effective_schedule
    from bot.flows.digest import send_digest
    from bot.slack.tokens import workspaces_for

    now = datetime.now(UTC)
    change_settings(db, team_id="T1", now=datetime(2026, 1, 1, tzinfo=UTC), default_channel=None, channel_id="C0LEADS")
    week = effective_schedule(db, team_id="T1", default_channel=None).iso_week(now)
    with db.begin() as session:  # a clock process started posting, then died before recording the summary
        digest_store.insert_digest_claim(session, team_id="T1", iso_week=week, now=now)
        run = digest_store.mark_digest_posting(session, team_id="T1", iso_week=week)
        run.channel_id, run.period_start, run.period_end = "C0LEADS", rolling_week(now).start, now
    assert send_digest(db, workspaces_for(config), team_id="T1", default_channel=None, now=now).status == "failed"

    admin_home = home_for(slack, fake_slack_api, ADMIN)

    assert "This week's digest may not have been posted." in admin_home and "--force" in admin_home
    assert "was not posted" not in admin_home
