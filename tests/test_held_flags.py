"""Anonymity that holds in a small team: with the default minimum of 3, anonymous flags are held, and absent from
every surface that is not the reporter's own, until three different people have flagged; then they are released
together. Named flags, a reporter's own "Release mine now" and a minimum of 1 show a flag at once."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.blocks import ids
from bot.db import flags as flag_store
from bot.domain import flags
from bot.domain.digest import build_digest, rolling_week
from bot.domain.flags import FlagNotFound
from bot.domain.outcomes import Status, change_status, outcome_summary
from bot.flows.digest import send_digest
from bot.slack.tokens import Workspaces
from tests.fake_slack_api import FakeSlackApi
from tests.holding import show_at_once
from tests.slack_requests import SlackSender
from tests.test_cli import clean_env, run_bot
from tests.views import block_action, submission

KEY = b"test-reporter-key"  # the config fixture's REPORTER_KEY
LEAD = "U0LEAD"  # a workspace admin, so a lead, per the fake's users.info below
TEXTS = ("alpha deadline by Friday", "bravo feature handed over", "charlie remedial work squeezed")
TWO_HELD = "2 flags are held until 3 different people have flagged, so that nobody can tell who wrote them."


@pytest.fixture(autouse=True)
def admins(fake_slack_api: FakeSlackApi) -> None:
    fake_slack_api.replies["users.info"] = lambda call: {
        "ok": True,
        "user": {"id": call.body["user"], "is_admin": call.body["user"] == LEAD, "profile": {"display_name": "Sam"}},
    }


def flag(slack: SlackSender, text: str, user_id: str, team_id: str = "T1") -> dict:
    """A signed /deadline-flag from `user_id`; its receipt."""
    reply = slack.command(text, user_id=user_id, team_id=team_id)
    assert reply.status == 200
    return reply.json()


def button(receipt: dict, action_id: str) -> dict | None:
    [actions] = [b for b in receipt["blocks"] if b["type"] == "actions"]
    return next((e for e in actions["elements"] if e["action_id"] == action_id), None)


def held_in(db: sessionmaker[Session], team_id: str = "T1") -> list[str]:
    with db() as session:
        return sorted(f.summary for f in flag_store.list_flags(session, team_id=team_id) if f.released_at is None)


@dataclass
class Leads:
    """What leads (and colleagues) can see, surface by surface, as text."""

    slack: SlackSender
    fake: FakeSlackApi
    db: sessionmaker[Session]
    workspaces: Workspaces
    database_url: str
    tmp_path: Path

    def home(self) -> str:
        before = len(self.fake.calls_to("views.publish"))
        self.slack.event({"type": "app_home_opened", "user": LEAD, "tab": "home"})
        return json.dumps(self.fake.wait_for("views.publish", count=before + 1)[before].body)

    def digest(self) -> str:
        now = datetime.now(UTC) + timedelta(seconds=1)
        result = send_digest(self.db, self.workspaces, team_id="T1", default_channel="C0LEADS", now=now)
        assert result.status == "posted", result.detail
        return json.dumps([message.body for message in self.fake.posted("C0LEADS")])

    def preview(self) -> str:
        shown = run_bot(
            "digest", "preview", "--team", "T1", env=clean_env(DATABASE_URL=self.database_url), cwd=self.tmp_path
        )
        assert shown.returncode == 0, shown.stderr
        return shown.stdout

    def leads_csv(self) -> str:
        self.slack.interaction(block_action(ids.EXPORT_CSV_ACTION, "", user_id=LEAD, from_home=True))
        [complete] = self.fake.wait_for("files.completeUploadExternal")
        [upload] = self.fake.calls_to("upload/F0001")
        return upload.raw.decode() + "\n" + str(complete.body.get("initial_comment"))

    def cli_export(self) -> str:
        exported = run_bot("export", "--team", "T1", env=clean_env(DATABASE_URL=self.database_url), cwd=self.tmp_path)
        assert exported.returncode == 0, exported.stderr
        return exported.stdout + "\n" + exported.stderr


SURFACES: dict[str, Callable[[Leads], str]] = {
    "digest preview": Leads.preview,
    "digest": Leads.digest,
    "home": Leads.home,
    "leads csv": Leads.leads_csv,
    "cli export": Leads.cli_export,
}


@pytest.fixture
def leads(
    slack: SlackSender,
    fake_slack_api: FakeSlackApi,
    db: sessionmaker[Session],
    workspaces: Workspaces,
    database_url: str,
    tmp_path: Path,
) -> Leads:
    return Leads(slack, fake_slack_api, db, workspaces, database_url, tmp_path)


@pytest.mark.parametrize("surface", list(SURFACES))
def test_two_peoples_anonymous_flags_are_absent_and_counted_as_held(slack: SlackSender, leads: Leads, surface: str) -> None:
    flag(slack, TEXTS[0], "U1")
    flag(slack, TEXTS[1], "U2")

    seen = SURFACES[surface](leads)

    assert [text for text in TEXTS[:2] if text in seen] == []
    assert TWO_HELD in seen


@pytest.mark.parametrize("surface", list(SURFACES))
def test_a_third_persons_flag_releases_all_three(slack: SlackSender, leads: Leads, surface: str) -> None:
    flag(slack, TEXTS[0], "U1")
    flag(slack, TEXTS[1], "U2")

    flag(slack, TEXTS[2], "U3")

    seen = SURFACES[surface](leads)
    assert [text for text in TEXTS if text in seen] == list(TEXTS)
    assert "held until" not in seen


@pytest.mark.parametrize(
    ("surface", "count"),
    [("digest preview", "0 flags"), ("digest", "*No flags* in this period"), ("home", "*0* flags in the last 7 days")],
)
def test_held_flags_are_in_no_count_by_clause(slack: SlackSender, leads: Leads, surface: str, count: str) -> None:
    flag(slack, "deadline: " + TEXTS[0], "U1")
    flag(slack, "feature: " + TEXTS[1], "U2")

    seen = SURFACES[surface](leads)

    assert count in seen


def test_export_include_held_gives_the_operator_every_flag_and_whether_it_is_held(slack: SlackSender, leads: Leads) -> None:
    flag(slack, TEXTS[0], "U1")
    flag(slack, TEXTS[1], "U2", team_id="T2")  # another workspace's stays out

    exported = run_bot(
        "export", "--team", "T1", "--include-held", env=clean_env(DATABASE_URL=leads.database_url), cwd=leads.tmp_path
    )

    assert exported.returncode == 0, exported.stderr
    rows = list(csv.DictReader(io.StringIO(exported.stdout)))
    assert [(row["summary"], row["held"], row["number"], row["released_on"]) for row in rows] == [(TEXTS[0], "yes", "", "")]
    assert rows[0]["created_on"] == datetime.now(UTC).date().isoformat()
    assert "held until" not in exported.stderr  # the operator sees them all: nothing to say is held from them


def test_export_help_says_include_held_is_for_the_operator_who_holds_the_database(tmp_path: Path) -> None:
    shown = run_bot("export", "--help", env=clean_env(), cwd=tmp_path)

    assert "--include-held" in shown.stdout
    assert "for the operator, who holds the database anyway, never for leads" in " ".join(shown.stdout.split())


def test_a_named_flag_shows_at_once(slack: SlackSender, fake_slack_api: FakeSlackApi, leads: Leads) -> None:
    from bot.blocks.flag_modal import FlagDraft, flag_modal
    from bot.blocks.origin import ModalOrigin
    from tests.clauses import STORED_DEFAULT

    view = flag_modal(FlagDraft(), ModalOrigin(), STORED_DEFAULT)
    slack.interaction(submission(view, {ids.SUMMARY_BLOCK: TEXTS[0], ids.NAME_ME_BLOCK: [ids.NAME_ME]}, user_id="U1"))
    fake_slack_api.wait_for("chat.postMessage")  # the receipt (no response_url from a bare modal: a DM)

    home = leads.home()

    assert TEXTS[0] in home
    assert "held until" not in home


def test_release_mine_now_shows_that_flag_alone(slack: SlackSender, fake_slack_api: FakeSlackApi, leads: Leads) -> None:
    mine = flag(slack, TEXTS[0], "U1")
    flag(slack, TEXTS[1], "U2")
    release = button(mine, ids.RELEASE_FLAG_ACTION)
    assert release is not None

    slack.interaction(block_action(ids.RELEASE_FLAG_ACTION, release["value"], user_id="U1", response_url=slack.response_url))
    fake_slack_api.wait_for("hooks/1", count=1)

    home = leads.home()
    assert TEXTS[0] in home and TEXTS[1] not in home
    assert "1 flag is held until 3 different people have flagged, so that nobody can tell who wrote it." in home


def test_release_mine_now_replaces_the_receipt_with_the_flag_visible_and_numbered(
    slack: SlackSender, fake_slack_api: FakeSlackApi
) -> None:
    receipt = flag(slack, TEXTS[0], "U1")
    release = button(receipt, ids.RELEASE_FLAG_ACTION)
    assert release is not None

    slack.interaction(block_action(ids.RELEASE_FLAG_ACTION, release["value"], user_id="U1", response_url=slack.response_url))

    [replaced] = fake_slack_api.wait_for("hooks/1")
    assert replaced.body["replace_original"] is True
    assert "(flag #1)" in json.dumps(replaced.body) and "Visible to leads" in json.dumps(replaced.body)
    assert ids.RELEASE_FLAG_ACTION not in json.dumps(replaced.body)
    assert "Show it to leads now?" in json.dumps(release["confirm"])  # asked first: it cannot be undone


def test_release_mine_now_on_someone_elses_flag_releases_nothing(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    theirs = flag(slack, TEXTS[0], "U1")
    release = button(theirs, ids.RELEASE_FLAG_ACTION)
    assert release is not None

    slack.interaction(block_action(ids.RELEASE_FLAG_ACTION, release["value"], user_id="U2", response_url=slack.response_url))

    [refusal] = fake_slack_api.wait_for("hooks/1")
    assert "Only the person who flagged this" in refusal.body["text"]
    assert held_in(db) == [TEXTS[0]]


def test_release_mine_now_from_home_republishes_it_showing_the_flag_visible(
    slack: SlackSender, fake_slack_api: FakeSlackApi
) -> None:
    receipt = flag(slack, TEXTS[0], "U1")
    release = button(receipt, ids.RELEASE_FLAG_ACTION)
    assert release is not None

    slack.interaction(block_action(ids.RELEASE_FLAG_ACTION, release["value"], user_id="U1", from_home=True))

    [home] = fake_slack_api.wait_for("views.publish")
    assert home.body["user_id"] == "U1"
    assert ":eye: visible to leads" in json.dumps(home.body) and ids.RELEASE_FLAG_ACTION not in json.dumps(home.body)


def test_min_reporters_1_shows_every_flag_at_once(slack: SlackSender, leads: Leads) -> None:
    set_1 = run_bot(
        "settings", "set", "--team", "T1", "--min-reporters", "1", env=clean_env(DATABASE_URL=leads.database_url),
        cwd=leads.tmp_path,
    )  # fmt: skip
    assert set_1.returncode == 0, set_1.stderr

    flag(slack, TEXTS[0], "U1")

    home = leads.home()
    assert TEXTS[0] in home and "held until" not in home


def test_one_workspaces_pool_never_counts_toward_anothers(slack: SlackSender, db: sessionmaker[Session]) -> None:
    flag(slack, TEXTS[0], "U1", team_id="T1")
    flag(slack, TEXTS[1], "U2", team_id="T1")

    flag(slack, TEXTS[2], "U3", team_id="T2")  # three different people in all, two in T1
    flag(slack, "T2's second", "U1", team_id="T2")  # the same user ids, in another workspace

    assert held_in(db, "T1") == sorted(TEXTS[:2])
    assert held_in(db, "T2") == sorted([TEXTS[2], "T2's second"])


def test_one_persons_many_flags_count_as_one_person(slack: SlackSender, db: sessionmaker[Session]) -> None:
    for text in TEXTS:
        flag(slack, text, "U1")

    assert held_in(db) == sorted(TEXTS)


def test_a_withdrawn_flag_does_not_count_toward_the_minimum(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    flag(slack, TEXTS[0], "U1")
    withdrawn = flag(slack, "withdrawn one", "U2")
    withdraw = button(withdrawn, ids.WITHDRAW_FLAG_ACTION)
    assert withdraw is not None
    slack.interaction(block_action(ids.WITHDRAW_FLAG_ACTION, withdraw["value"], user_id="U2"))
    fake_slack_api.wait_for("chat.postMessage")  # the withdrawal's answer: it is done

    flag(slack, TEXTS[2], "U3")

    assert held_in(db) == sorted([TEXTS[0], TEXTS[2]])


def test_released_flags_stay_released_when_the_minimum_is_raised(
    slack: SlackSender, db: sessionmaker[Session], leads: Leads
) -> None:
    for text, user_id in zip(TEXTS, ("U1", "U2", "U3"), strict=True):
        flag(slack, text, user_id)

    raised = run_bot(
        "settings", "set", "--team", "T1", "--min-reporters", "10", env=clean_env(DATABASE_URL=leads.database_url),
        cwd=leads.tmp_path,
    )  # fmt: skip
    flag(slack, "after the raise", "U4")

    assert raised.returncode == 0, raised.stderr
    assert held_in(db) == ["after the raise"]
    home = leads.home()
    assert all(text in home for text in TEXTS)


def test_lowering_the_minimum_releases_a_pool_that_now_reaches_it(
    slack: SlackSender, db: sessionmaker[Session], leads: Leads
) -> None:
    flag(slack, TEXTS[0], "U1")
    flag(slack, TEXTS[1], "U2")

    lowered = run_bot(
        "settings", "set", "--team", "T1", "--min-reporters", "2", env=clean_env(DATABASE_URL=leads.database_url),
        cwd=leads.tmp_path,
    )  # fmt: skip

    assert lowered.returncode == 0, lowered.stderr
    assert held_in(db) == []


def test_a_batch_is_released_at_one_time_and_numbered_in_no_order_of_writing(db: sessionmaker[Session]) -> None:
    written = []
    for n in range(20):  # two people, ten flags each: held
        report = flags.FlagReport("T1", f"U{n % 2}", "other", f"flag {n}")
        written.append(flags.record_flag(db, report, reporter_key=KEY, now=datetime(2026, 11, 2, 9, n, tzinfo=UTC)))
    assert all(f.number is None for f in written)  # held flags have no number yet

    third = flags.FlagReport("T1", "U9", "other", "the third person's")
    flags.record_flag(db, third, reporter_key=KEY, now=datetime(2026, 11, 30, 9, tzinfo=UTC))

    with db() as session:
        rows = sorted(flag_store.list_flags(session, team_id="T1"), key=lambda row: row.id)  # the order of writing
    assert {row.released_at for row in rows} == {datetime(2026, 11, 30, 9, tzinfo=UTC)}
    assert sorted(row.number for row in rows) == list(range(1, 22))
    # Shuffled: 21 flags numbered in the order they were written would happen once in 21! (about 5e19) batches.
    assert [row.number for row in rows] != list(range(1, 22))


def test_a_flags_age_and_time_to_resolution_count_from_its_release(db: sessionmaker[Session]) -> None:
    now = datetime(2026, 11, 30, 9, tzinfo=UTC)
    for user_id, days_ago in (("U1", 40), ("U2", 35)):  # written weeks ago, held until the third
        report = flags.FlagReport("T1", user_id, "other", f"by {user_id}")
        flags.record_flag(db, report, reporter_key=KEY, now=now - timedelta(days=days_ago))
    flags.record_flag(db, flags.FlagReport("T1", "U3", "other", "by U3"), reporter_key=KEY, now=now - timedelta(days=2))
    change_status(
        db, team_id="T1", flag_number=1, to_status=Status.RESOLVED, changed_by=LEAD, actor_is_admin=True,
        reporter_key=KEY, now=now - timedelta(days=1),
    )  # fmt: skip

    week = rolling_week(now)
    summary = outcome_summary(db, team_id="T1", since=week.start, until=week.end)

    assert (summary.open_now, summary.open_over_four_weeks) == (2, 0)  # none open "for more than 4 weeks"
    assert summary.median_days_to_resolution == 1.0  # a day from release, not five weeks from writing
    assert len(build_digest(db, team_id="T1", period=week).flags) == 3  # all three in the week they were released


def test_a_held_flag_cannot_be_given_an_outcome(db: sessionmaker[Session]) -> None:
    flags.record_flag(db, flags.FlagReport("T1", "U1", "other", "held"), reporter_key=KEY)

    with pytest.raises(FlagNotFound):  # it has no number leads could name it by: #1 is nobody's yet
        change_status(
            db, team_id="T1", flag_number=1, to_status=Status.RESOLVED, changed_by=LEAD, actor_is_admin=True,
            reporter_key=KEY, now=datetime.now(UTC),
        )  # fmt: skip


def test_a_status_click_on_a_guessed_number_is_refused_while_the_flag_is_held(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    flag(slack, TEXTS[0], "U1")
    click = block_action(ids.FLAG_STATUS_ACTION, "", user_id=LEAD, response_url=fake_slack_api.response_url("hooks/lead"))
    click["actions"] = [
        {
            "type": "overflow",
            "action_id": ids.FLAG_STATUS_ACTION,
            "block_id": "x",
            "selected_option": {"value": "1:resolved"},
        }
    ]

    slack.interaction(click)

    [refusal] = fake_slack_api.wait_for("hooks/lead")
    assert "That flag no longer exists" in refusal.body["text"]
    with db() as session:
        assert [f.status for f in flag_store.list_flags(session, team_id="T1")] == ["open"]
    assert [c for c in fake_slack_api.calls_to("chat.postMessage") if c.body.get("channel") == "U1"] == []  # no DM


def test_flags_written_at_once_by_different_people_still_count_each_other(db: sessionmaker[Session]) -> None:
    def record(n: int) -> None:
        flags.record_flag(db, flags.FlagReport("T1", f"U{n}", "other", f"flag {n}"), reporter_key=KEY)

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(record, range(8)))

    # Each flag is counted after the one before it: every time three people are in the pool it is released, so
    # eight people leave exactly two held, whatever order they came in.
    assert len(held_in(db)) == 2


def test_choosing_to_be_named_on_a_held_flag_releases_it(slack: SlackSender, db: sessionmaker[Session]) -> None:
    receipt = flag(slack, TEXTS[0], "U1")
    edit = button(receipt, ids.EDIT_FLAG_ACTION)
    assert edit is not None
    report = flags.FlagReport("T1", "U1", "other", TEXTS[0], name_reporter=True)

    flags.update_flag(db, int(edit["value"]), report, reporter_key=KEY)

    assert held_in(db) == []


def test_leads_name_flags_by_number_never_by_the_internal_id(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session], leads: Leads
) -> None:
    show_at_once(db, "T1", "T2")
    flag(slack, "in another workspace", "U1", team_id="T2")  # T1's first flag gets id 2, number 1
    flag(slack, TEXTS[0], "U1")

    digest = json.loads(leads.digest())

    reply = json.dumps(digest[1])
    assert '"block_id": "flag:1"' in reply and '"value": "1:resolved"' in reply
    assert "flag:2" not in reply and '"2:' not in reply


def test_the_receipt_says_the_flag_is_held_and_why(slack: SlackSender) -> None:
    receipt = json.dumps(flag(slack, TEXTS[0], "U1"))

    assert "Held: leads see anonymous flags only once 3 different people have flagged" in receipt
    assert "so that nobody can tell who wrote which" in receipt
    assert ids.RELEASE_FLAG_ACTION in receipt


def test_the_receipt_of_the_flag_that_reaches_the_minimum_says_it_is_visible(slack: SlackSender) -> None:
    flag(slack, TEXTS[0], "U1")
    flag(slack, TEXTS[1], "U2")

    receipt = json.dumps(flag(slack, TEXTS[2], "U3"))

    assert "Visible to leads" in receipt and "Held:" not in receipt
    assert ids.RELEASE_FLAG_ACTION not in receipt


def test_the_reporters_home_shows_each_of_their_flags_held_or_visible(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    flags.record_flag(db, flags.FlagReport("T1", "U1", "other", "named one", name_reporter=True), reporter_key=KEY)
    flag(slack, "anonymous one", "U1")

    slack.event({"type": "app_home_opened", "user": "U1", "tab": "home"})

    view = fake_slack_api.wait_for("views.publish")[0].body["view"]
    view = json.loads(view) if isinstance(view, str) else view
    lines = {
        b["text"]["text"].split("\n")[1]: b["text"]["text"]
        for b in view["blocks"]
        if "\n" in b.get("text", {}).get("text", "")
    }
    assert "held until 3 different people have flagged" in lines["anonymous one"]
    assert "visible to leads" in lines["named one"] and "held until" not in lines["named one"]
    releases = [
        e
        for b in view["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e.get("action_id") == ids.RELEASE_FLAG_ACTION
    ]
    assert len(releases) == 1  # only the held one offers Release mine now
