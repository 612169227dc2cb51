"""Enterprise Grid, installed once for the whole org: the org-wide installation is stored as slack_sdk intends
(enterprise id, no workspace), every workspace of the org is served with it, and everything stays the workspace's
the person acted in: flags, Home, the digest, the CSV, the purge after an uninstall from the org.

The payloads have the shapes Slack sends for an org-wide install (../shared/SLACK_REALITY.md): commands with
`enterprise_id` and `is_enterprise_install=true`; interactions with `team: null` and the workspace in `user.team_id`;
events whose `authorizations[0].team_id` is null, the workspace in `context_team_id` or the envelope's `team_id`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from bot.blocks import ids
from bot.blocks.unplaced import NO_WORKSPACE
from bot.config import Config
from bot.db import flags as flag_store
from bot.db import uninstalls as uninstall_store
from bot.db.models import OrgWorkspace
from bot.db.slack_stores import BOTS, INSTALLATIONS, TokenCipher
from bot.domain.uninstalls import purge_uninstalled_workspaces
from bot.domain.workspace_settings import WEEKDAYS, change_settings
from bot.flows.digest import run_due_digests
from bot.slack.tokens import InstalledWorkspaces, workspaces_for
from bot.slack.web import SLACK_EVENTS_PATH
from tests.conftest import serve_app
from tests.fake_slack_api import BOT_USER_ID, FakeSlackApi
from tests.holding import show_at_once
from tests.invariants import AfterAckWork, rows_by_team
from tests.slack_requests import Browser, Reply, SlackSender, post
from tests.views import block_action, opened_view, submission

ORG = "E0GRID"
NOW = datetime(2026, 11, 30, 9, tzinfo=UTC)
ORG_TOKEN = "xoxb-E0GRID-1"  # what the fake's oauth.v2.access grants the org-wide install
ALPHA, BETA = "T0ALPHA", "T0BETA"  # two workspaces of the org
ALICE, BOB, LEAD = "W0ALICE", "W0BOB", "W0LEAD"  # Grid user ids are the org's (W...)
CIPHER = TokenCipher(b"test-reporter-key")
GRACE = timedelta(days=30)
_event_ids = iter(range(1, 10_000))


@dataclass
class Org:
    slack: SlackSender
    fake: FakeSlackApi
    after_ack: AfterAckWork
    base_url: str

    def command(self, text: str, *, team_id: str, user_id: str = ALICE) -> Reply:
        """A slash command in a workspace of an org-wide install: the workspace in team_id, the org beside it."""
        return self.slack.command(
            text, team_id=team_id, user_id=user_id, enterprise_id=ORG, enterprise_name="Org", is_enterprise_install="true"
        )

    def interaction(self, payload: dict, *, team_id: str | None) -> Reply:
        """An interaction of an org-wide install: `team` is null, the workspace is the user's `team_id`."""
        payload = {**payload, "team": None, "enterprise": {"id": ORG, "name": "Org"}, "is_enterprise_install": True}
        payload["user"] = {**payload["user"], "team_id": team_id}
        if "view" in payload:
            payload["view"] = {**payload["view"], "team_id": team_id}
        return self.slack.interaction(payload)

    def event(self, event: dict, *, team_id: str | None, where: str = "context_team_id") -> Reply:
        """An Events API delivery to the org-wide install: authorizations name the org and no workspace; the
        workspace the event happened in is in `where` (context_team_id, the envelope's team_id, or both)."""
        body: dict[str, Any] = {
            "token": "legacy",
            "enterprise_id": ORG,
            "api_app_id": "A1",
            "type": "event_callback",
            "event": event,
            "event_id": f"EvORG{next(_event_ids):05d}",
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "enterprise_id": ORG,
                    "team_id": None,
                    "user_id": BOT_USER_ID,
                    "is_bot": True,
                    "is_enterprise_install": True,
                }
            ],
            "is_ext_shared_channel": False,
        }
        if team_id and where in ("context_team_id", "both"):
            body.update(context_team_id=team_id, context_enterprise_id=ORG)
        if team_id and where in ("team_id", "both"):
            body["team_id"] = team_id
        return post(self.slack.url, json.dumps(body), content_type="application/json")

    def home(self, *, team_id: str, user_id: str, where: str = "context_team_id") -> str:
        count = len(self.fake.calls_to("views.publish")) + 1
        self.event({"type": "app_home_opened", "user": user_id, "tab": "home"}, team_id=team_id, where=where)
        return json.dumps(self.fake.wait_for("views.publish", count)[-1].body["view"])

    def flag(self, text: str, *, team_id: str, user_id: str = ALICE) -> None:
        reply = self.command(text, team_id=team_id, user_id=user_id)
        assert reply.status == 200 and "Flagged under" in reply.text, reply.text
        self.after_ack.drain()  # the org of the workspace is recorded after the answer


@pytest.fixture
def org(oauth_config: Config, db: sessionmaker[Session], engine: Engine, fake_slack_api: FakeSlackApi) -> Iterator[Org]:
    """The OAuth-mode app, installed org-wide in the Grid org E0GRID; `after_ack.drain()` waits for its after-ack work."""
    after_ack = AfterAckWork()
    with serve_app(oauth_config, db, engine, after_ack, urgent=after_ack) as base_url:
        assert Browser(base_url).install_org(ORG).status == 200
        yield Org(SlackSender(url=base_url + SLACK_EVENTS_PATH, fake=fake_slack_api), fake_slack_api, after_ack, base_url)


def summaries(db: sessionmaker[Session], team_id: str) -> list[str]:
    with db() as session:
        return [f.summary for f in flag_store.list_flags(session, team_id=team_id)]


def org_workspaces(engine: Engine) -> dict[str, str]:
    with engine.connect() as connection:
        return {row.team_id: row.enterprise_id for row in connection.execute(select(OrgWorkspace))}


def due_today(db: sessionmaker[Session], team_id: str, now: datetime, *, channel_id: str) -> None:
    """The workspace's digest is due from midnight today (UTC), in `channel_id`: the clock at `now` sends it."""
    weekday = WEEKDAYS[now.weekday()]
    change_settings(db, team_id=team_id, now=now, default_channel=None, channel_id=channel_id, weekday=weekday, hour=0)


# -- the installation --------------------------------------------------------------------------------------------------


def test_an_org_wide_install_is_stored_for_the_org_with_no_workspace(
    browser: Browser, fake_slack_api: FakeSlackApi, engine: Engine
) -> None:
    reply = browser.install_org(ORG)

    assert reply.status == 200, reply.text
    # Bolt's page sends the org admin on to choose the workspaces (auth.test gave the org's url).
    assert "e0grid.enterprise.slack.com/manage/organization/apps/profile/A1/workspaces/add" in reply.text
    with engine.connect() as connection:
        [installation] = connection.execute(select(INSTALLATIONS)).mappings().all()
        [bot] = connection.execute(select(BOTS)).mappings().all()
    assert (installation["enterprise_id"], installation["team_id"], installation["is_enterprise_install"]) == (
        ORG,
        None,
        True,
    )
    assert (bot["enterprise_id"], bot["team_id"], bot["is_enterprise_install"]) == (ORG, None, True)
    assert CIPHER.open(bot["bot_token"]) == ORG_TOKEN  # sealed like any other token


def test_a_command_from_any_workspace_of_the_org_is_served_with_the_orgs_token(org: Org) -> None:
    org.command("", team_id=ALPHA)  # no text: opens the flag form
    org.command("", team_id=BETA)

    opened = org.fake.wait_for("views.open", 2)
    assert [call.token for call in opened] == [ORG_TOKEN, ORG_TOKEN]


def test_a_workspace_install_in_another_org_is_still_served_with_its_own_token(
    org: Org, fake_slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    Browser(org.base_url).install("T2")

    org.slack.command("", team_id="T2")

    [opened] = fake_slack_api.wait_for("views.open")
    assert opened.token == "xoxb-T2-1"


# -- each workspace's own --------------------------------------------------------------------------------------------


def test_inline_flags_from_two_workspaces_of_the_org_are_each_filed_under_their_workspace_with_the_org(
    org: Org, db: sessionmaker[Session], engine: Engine
) -> None:
    org.flag("Alpha's roadmap date", team_id=ALPHA)
    org.flag("Beta's feature order", team_id=BETA)

    assert summaries(db, ALPHA) == ["Alpha's roadmap date"]
    assert summaries(db, BETA) == ["Beta's feature order"]
    assert summaries(db, ORG) == []  # never under the org itself
    assert org_workspaces(engine) == {ALPHA: ORG, BETA: ORG}


def test_a_modal_submitted_with_team_null_is_filed_under_the_users_workspace(
    org: Org, fake_slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    org.command("", team_id=BETA, user_id=BOB)
    view = opened_view(fake_slack_api.wait_for("views.open")[0])

    reply = org.interaction(
        submission(view, {ids.SUMMARY_BLOCK: "Beta's launch date"}, team_id=BETA, user_id=BOB), team_id=BETA
    )

    assert reply.status == 200 and reply.text == "", reply.text
    assert summaries(db, BETA) == ["Beta's launch date"]
    assert summaries(db, ALPHA) == []


def test_a_reporter_in_one_workspace_of_the_org_cannot_withdraw_a_flag_of_another(
    org: Org, fake_slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    receipt = org.command("Alpha's roadmap date", team_id=ALPHA, user_id=ALICE).json()
    flag_id = next(b for b in receipt["blocks"] if b["type"] == "actions")["elements"][0]["value"]
    hooks = fake_slack_api.response_url("hooks/beta")

    # The same person (Grid user ids are org-wide), acting in the other workspace, with the flag's id.
    org.interaction(block_action(ids.WITHDRAW_FLAG_ACTION, flag_id, user_id=ALICE, response_url=hooks), team_id=BETA)

    [refusal] = fake_slack_api.wait_for("hooks/beta")
    assert "no longer exists" in refusal.body["text"]
    assert summaries(db, ALPHA) == ["Alpha's roadmap date"]


@pytest.mark.parametrize("where", ["context_team_id", "team_id", "both"])
def test_home_in_each_workspace_of_the_org_shows_only_that_workspaces_flags(org: Org, where: str) -> None:
    org.flag("Alpha's roadmap date", team_id=ALPHA, user_id=ALICE)
    org.flag("Beta's feature order", team_id=BETA, user_id=ALICE)

    alpha_home = org.home(team_id=ALPHA, user_id=ALICE, where=where)
    beta_home = org.home(team_id=BETA, user_id=ALICE, where=where)

    assert "Alpha's roadmap date" in alpha_home and "Beta's feature order" not in alpha_home
    assert "Beta's feature order" in beta_home and "Alpha's roadmap date" not in beta_home
    assert [call.token for call in org.fake.calls_to("views.publish")] == [ORG_TOKEN, ORG_TOKEN]


def test_a_leads_csv_holds_only_the_flags_of_the_workspace_they_lead(org: Org, db: sessionmaker[Session]) -> None:
    show_at_once(db, ALPHA, BETA)
    org.flag("Alpha's roadmap date", team_id=ALPHA)
    org.flag("Beta's feature order", team_id=BETA)
    change_settings(db, team_id=ALPHA, now=NOW, lead_ids=[LEAD])

    org.interaction(block_action(ids.EXPORT_CSV_ACTION, "", user_id=LEAD, from_home=True), team_id=ALPHA)

    org.fake.wait_for("files.completeUploadExternal")
    [upload] = org.fake.calls_to("upload/F0001")
    assert b"Alpha's roadmap date" in upload.raw
    assert b"Beta's feature order" not in upload.raw


def test_a_lead_of_one_workspace_of_the_org_is_no_lead_in_another(org: Org, db: sessionmaker[Session]) -> None:
    org.flag("Beta's feature order", team_id=BETA)
    change_settings(db, team_id=ALPHA, now=NOW, lead_ids=[LEAD])

    org.interaction(block_action(ids.EXPORT_CSV_ACTION, "", user_id=LEAD, from_home=True), team_id=BETA)

    [refusal] = org.fake.wait_for("chat.postMessage")
    org.after_ack.drain()
    assert refusal.body["channel"] == LEAD
    assert org.fake.calls_to("files.completeUploadExternal") == []


def test_an_admin_of_a_workspace_of_the_org_sees_the_scopes_the_org_install_lacks(
    oauth_config: Config, db: sessionmaker[Session], engine: Engine, fake_slack_api: FakeSlackApi
) -> None:
    fake_slack_api.granted_scopes = "commands,chat:write"  # the org installed the app before it asked for more
    fake_slack_api.replies["users.info"] = lambda call: {"ok": True, "user": {"id": call.body["user"], "is_admin": True}}
    after_ack = AfterAckWork()
    with serve_app(oauth_config, db, engine, after_ack, urgent=after_ack) as base_url:
        assert Browser(base_url).install_org(ORG).status == 200
        org = Org(SlackSender(url=base_url + SLACK_EVENTS_PATH, fake=fake_slack_api), fake_slack_api, after_ack, base_url)
        org.flag("Alpha's roadmap date", team_id=ALPHA)

        home = org.home(team_id=ALPHA, user_id=LEAD)

    assert "lacks permissions the app now needs" in home


# -- the clock ---------------------------------------------------------------------------------------------------------


def test_the_clock_sends_each_workspace_of_the_org_its_own_digest_through_the_org_install(
    org: Org, oauth_config: Config, db: sessionmaker[Session], engine: Engine
) -> None:
    show_at_once(db, ALPHA, BETA)
    org.flag("Alpha's roadmap date", team_id=ALPHA)
    org.flag("Beta's feature order", team_id=BETA)
    now = datetime.now(UTC) + timedelta(seconds=1)
    for team_id, channel in ((ALPHA, "C0ALPHALEADS"), (BETA, "C0BETALEADS")):
        org.fake.add_channel(channel)
        due_today(db, team_id, now, channel_id=channel)
    workspaces = workspaces_for(oauth_config, engine)

    results = run_due_digests(db, workspaces, default_channel=None, now=now)

    assert sorted((r.team_id, r.status) for r in results) == [(ALPHA, "posted"), (BETA, "posted")]
    alpha = json.dumps([m.body for m in org.fake.posted("C0ALPHALEADS")])
    beta = json.dumps([m.body for m in org.fake.posted("C0BETALEADS")])
    assert "Alpha's roadmap date" in alpha and "Beta's feature order" not in alpha
    assert "Beta's feature order" in beta and "Alpha's roadmap date" not in beta
    assert {call.token for call in org.fake.calls_to("chat.postMessage")} == {ORG_TOKEN}


def test_the_deployments_workspaces_include_those_the_org_install_served(
    org: Org, oauth_config: Config, engine: Engine
) -> None:
    Browser(org.base_url).install("T2")
    org.flag("Alpha's roadmap date", team_id=ALPHA)
    workspaces = workspaces_for(oauth_config, engine)
    assert isinstance(workspaces, InstalledWorkspaces)

    assert workspaces.team_ids() == [ALPHA, "T2"]  # BETA has not used the app: the org install names no workspace
    assert workspaces.client_for(ALPHA).token == ORG_TOKEN
    assert workspaces.client_for("T2").token == "xoxb-T2-1"


def test_with_an_org_level_bot_token_the_clock_sends_each_workspace_of_the_org_its_own_digest(
    config: Config, db: sessionmaker[Session], engine: Engine, fake_slack_api: FakeSlackApi
) -> None:
    # Single-workspace mode, the app installed org-wide from its settings page: SLACK_BOT_TOKEN is the org's.
    single = replace(config, bot_token=ORG_TOKEN)
    after_ack = AfterAckWork()
    with serve_app(single, db, engine, after_ack, urgent=after_ack) as base_url:
        org = Org(SlackSender(url=base_url + SLACK_EVENTS_PATH, fake=fake_slack_api), fake_slack_api, after_ack, base_url)
        org.flag("Alpha's roadmap date", team_id=ALPHA)
        org.flag("Beta's feature order", team_id=BETA)
    now = datetime.now(UTC) + timedelta(seconds=1)
    for team_id in (ALPHA, BETA):
        due_today(db, team_id, now, channel_id="C0LEADS")

    results = run_due_digests(db, workspaces_for(single, engine), default_channel=None, now=now)

    assert sorted((r.team_id, r.status) for r in results) == [(ALPHA, "posted"), (BETA, "posted")]


# -- uninstalling from the org -----------------------------------------------------------------------------------------


def test_uninstalling_from_the_org_deletes_its_token_and_schedules_the_purge_of_each_of_its_workspaces(
    org: Org, db: sessionmaker[Session], engine: Engine, oauth_config: Config
) -> None:
    Browser(org.base_url).install("T2")
    org.slack.command("T2's own flag", team_id="T2")
    org.flag("Alpha's roadmap date", team_id=ALPHA)
    org.flag("Beta's feature order", team_id=BETA)

    reply = org.event({"type": "app_uninstalled"}, team_id=None)

    assert reply.status == 200
    with engine.connect() as connection:
        assert [tuple(row) for row in connection.execute(select(BOTS.c.enterprise_id, BOTS.c.team_id))] == [(None, "T2")]
    with db() as session:
        assert uninstall_store.get_uninstall(session, team_id=ALPHA) is not None
        assert uninstall_store.get_uninstall(session, team_id=BETA) is not None
        assert uninstall_store.get_uninstall(session, team_id="T2") is None
    assert workspaces_for(oauth_config, engine).team_ids() == ["T2"]  # no digest for the org any more
    assert summaries(db, ALPHA) == ["Alpha's roadmap date"]  # kept through the grace period

    purged = purge_uninstalled_workspaces(db, datetime.now(UTC) + GRACE + timedelta(hours=1), GRACE)

    assert purged == [ALPHA, BETA]
    assert summaries(db, ALPHA) == [] and summaries(db, BETA) == []
    assert summaries(db, "T2") == ["T2's own flag"]
    assert org_workspaces(engine) == {}  # nothing of the org's workspaces is left


def test_a_revoked_org_token_uninstalls_the_org_too(org: Org, db: sessionmaker[Session]) -> None:
    org.flag("Alpha's roadmap date", team_id=ALPHA)

    org.event({"type": "tokens_revoked", "tokens": {"oauth": [], "bot": [BOT_USER_ID]}}, team_id=None)

    with db() as session:
        assert uninstall_store.get_uninstall(session, team_id=ALPHA) is not None


def test_reinstalling_in_the_org_before_the_purge_keeps_its_workspaces_data(org: Org, db: sessionmaker[Session]) -> None:
    org.flag("Alpha's roadmap date", team_id=ALPHA)
    org.event({"type": "app_uninstalled"}, team_id=None)
    with db() as session:
        assert uninstall_store.get_uninstall(session, team_id=ALPHA) is not None

    assert Browser(org.base_url).install_org(ORG).status == 200

    with db() as session:
        assert uninstall_store.get_uninstall(session, team_id=ALPHA) is None
    assert purge_uninstalled_workspaces(db, datetime.now(UTC) + 2 * GRACE, GRACE) == []
    assert summaries(db, ALPHA) == ["Alpha's roadmap date"]


def test_when_an_org_removes_the_app_from_one_of_its_workspaces_that_one_alone_gets_no_digest_and_is_purged_later(
    org: Org, db: sessionmaker[Session], engine: Engine, oauth_config: Config
) -> None:
    Browser(org.base_url).install("T2")  # a workspace of another org, installed on its own
    org.slack.command("T2's own flag", team_id="T2")
    org.flag("Alpha's roadmap date", team_id=ALPHA)
    org.flag("Beta's feature order", team_id=BETA)

    # Slack names the workspaces; one the org never brought here (T2) is not the org's to remove.
    reply = org.event({"type": "team_access_revoked", "team_ids": [ALPHA, "T2"]}, team_id=None)

    assert reply.status == 200
    with db() as session:
        assert uninstall_store.get_uninstall(session, team_id=ALPHA) is not None
        assert uninstall_store.get_uninstall(session, team_id=BETA) is None
        assert uninstall_store.get_uninstall(session, team_id="T2") is None
    assert workspaces_for(oauth_config, engine).team_ids() == [BETA, "T2"]  # the org's token still serves Beta
    assert org_workspaces(engine) == {BETA: ORG}
    assert purge_uninstalled_workspaces(db, datetime.now(UTC) + GRACE + timedelta(hours=1), GRACE) == [ALPHA]
    assert summaries(db, ALPHA) == []
    assert summaries(db, BETA) == ["Beta's feature order"] and summaries(db, "T2") == ["T2's own flag"]


def test_when_an_org_gives_the_app_back_a_workspace_before_the_purge_its_data_stays_and_it_is_served_again(
    org: Org, db: sessionmaker[Session], engine: Engine, oauth_config: Config
) -> None:
    org.flag("Alpha's roadmap date", team_id=ALPHA)
    org.event({"type": "team_access_revoked", "team_ids": [ALPHA]}, team_id=None)

    reply = org.event({"type": "team_access_granted", "team_ids": [ALPHA, "not a team"]}, team_id=None)

    assert reply.status == 200
    assert purge_uninstalled_workspaces(db, datetime.now(UTC) + 2 * GRACE, GRACE) == []
    assert summaries(db, ALPHA) == ["Alpha's roadmap date"]
    org.flag("Alpha again", team_id=ALPHA)  # its next request puts it back on the clock's list
    assert workspaces_for(oauth_config, engine).team_ids() == [ALPHA]


# -- nowhere to file it ------------------------------------------------------------------------------------------------


def test_a_command_without_a_workspace_is_answered_with_its_text_back_and_stores_nothing(org: Org, engine: Engine) -> None:
    before = rows_by_team(engine)

    reply = org.command("Ship search by Friday", team_id="")

    assert reply.status == 200
    answer = reply.json()
    assert answer["response_type"] == "ephemeral"
    assert NO_WORKSPACE in json.dumps(answer) and "Ship search by Friday" in json.dumps(answer)
    org.after_ack.drain()
    assert rows_by_team(engine) == before


def test_a_modal_submitted_without_a_workspace_keeps_the_form_open_with_the_reason_and_stores_nothing(
    org: Org, fake_slack_api: FakeSlackApi, engine: Engine
) -> None:
    org.command("", team_id=ALPHA)
    view = opened_view(fake_slack_api.wait_for("views.open")[0])
    org.after_ack.drain()
    before = rows_by_team(engine)
    payload = submission(view, {ids.SUMMARY_BLOCK: "a flag from nowhere"}, user_id=ALICE)
    del payload["view"]["team_id"]

    reply = org.interaction({**payload, "view": {**payload["view"]}}, team_id=None)

    assert reply.json() == {"response_action": "errors", "errors": {ids.CLAUSE_BLOCK: NO_WORKSPACE}}
    org.after_ack.drain()
    assert rows_by_team(engine) == before


def test_a_button_clicked_without_a_workspace_is_answered_where_it_was_clicked_and_stores_nothing(
    org: Org, fake_slack_api: FakeSlackApi, engine: Engine
) -> None:
    hooks = fake_slack_api.response_url("hooks/nowhere")
    before = rows_by_team(engine)

    org.interaction(block_action(ids.WITHDRAW_FLAG_ACTION, "1", user_id=ALICE, response_url=hooks), team_id=None)

    [told] = fake_slack_api.wait_for("hooks/nowhere")
    assert NO_WORKSPACE in told.body["text"]
    org.after_ack.drain()
    assert rows_by_team(engine) == before


def test_home_opened_without_a_workspace_says_why_it_is_empty_and_stores_nothing(org: Org, engine: Engine) -> None:
    before = rows_by_team(engine)

    org.event({"type": "app_home_opened", "user": ALICE, "tab": "home"}, team_id=None)

    [published] = org.fake.wait_for("views.publish")
    assert "without saying which workspace" in json.dumps(published.body["view"])
    org.after_ack.drain()
    assert rows_by_team(engine) == before
