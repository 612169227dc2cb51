"""The claims of SECURITY.md that a test can hold: what the logs never contain, what the database never holds."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from bot.blocks import ids
from bot.db.models import Flag
from bot.flows.digest import send_digest
from bot.logs import JsonFormatter, configure_logging
from bot.slack.tokens import Workspaces
from tests.fake_slack_api import OAUTH_CLIENT_SECRET, FakeSlackApi
from tests.holding import show_at_once
from tests.slack_requests import SIGNING_SECRET, Browser, SlackSender
from tests.views import block_action, message_shortcut, opened_view, submission

REPORTER = "U0REPORTER"
FLAG_TEXT = "Quarterly-roadmap-secret-ship-by-Friday"
SECRETS = (SIGNING_SECRET, OAUTH_CLIENT_SECRET, "test-reporter-key", "xoxb-", "xoxe-")


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.setFormatter(JsonFormatter())
        self.lines: list[tuple[int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append((record.levelno, self.format(record)))


@pytest.fixture
def logs() -> Iterator[list[tuple[int, str]]]:
    """Every line the process would log with the app's own logging set up at DEBUG (fields and tracebacks too)."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level, {name: logging.getLogger(name).level for name in ("alembic", "slack_sdk")}
    configure_logging("DEBUG")
    lines = _Lines()
    root.handlers[:] = [lines]
    yield lines.lines
    root.handlers[:], root.level = saved[0], saved[1]
    for name, level in saved[2].items():
        logging.getLogger(name).setLevel(level)


def every_surface(slack: SlackSender, fake: FakeSlackApi) -> None:
    """Inline flag, the modal, a shortcut, its receipt, the Home tab and a withdrawal, by one reporter."""
    receipt = slack.command(FLAG_TEXT, user_id=REPORTER).json()
    flag_id = next(b for b in receipt["blocks"] if b["type"] == "actions")["elements"][0]["value"]
    slack.command("", user_id=REPORTER)
    view = opened_view(fake.wait_for("views.open")[0])
    slack.interaction(submission(view, {ids.SUMMARY_BLOCK: FLAG_TEXT + " (modal)"}, user_id=REPORTER))
    message = {"type": "message", "user": "U0PM", "ts": "1700000000.000100", "text": FLAG_TEXT + " (message)"}
    slack.interaction(message_shortcut(message, user_id=REPORTER, response_url=fake.response_url("hooks/shortcut")))
    view = opened_view(fake.wait_for("views.open", count=2)[1])
    slack.interaction(submission(view, user_id=REPORTER))
    fake.wait_for("hooks/shortcut")
    slack.event({"type": "app_home_opened", "user": REPORTER, "tab": "home"})
    fake.wait_for("views.publish")
    slack.interaction(block_action(ids.WITHDRAW_FLAG_ACTION, flag_id, user_id=REPORTER, response_url=fake.response_url()))
    fake.wait_for("hooks/1", count=2)


def test_no_token_or_secret_is_logged_at_any_level_and_no_reporter_or_flag_text_at_info(
    slack: SlackSender, fake_slack_api: FakeSlackApi, logs: list[tuple[int, str]]
) -> None:
    every_surface(slack, fake_slack_api)

    assert logs, "nothing was captured: the check would prove nothing"
    assert [line for _, line in logs if any(secret in line for secret in SECRETS)] == []
    at_info = [line for level, line in logs if level >= logging.INFO]
    assert [line for line in at_info if REPORTER in line or FLAG_TEXT in line] == []


def test_the_digest_and_an_outcome_with_its_dm_log_no_token_reporter_or_flag_text(
    slack: SlackSender,
    fake_slack_api: FakeSlackApi,
    db: sessionmaker[Session],
    workspaces: Workspaces,
    logs: list[tuple[int, str]],
) -> None:
    fake_slack_api.replies["users.info"] = lambda call: {"ok": True, "user": {"id": call.body["user"], "is_admin": True}}
    show_at_once(db)  # one reporter's flag reaches the digest and the leads
    slack.command(FLAG_TEXT, user_id=REPORTER)
    assert send_digest(db, workspaces, team_id="T1", default_channel="C0LEADS", now=datetime.now(UTC)).status == "posted"
    resolve = block_action(ids.FLAG_STATUS_ACTION, "", user_id="U0ADMIN", from_home=True)
    resolve["actions"] = [
        {
            "type": "overflow",
            "action_id": ids.FLAG_STATUS_ACTION,
            "block_id": "x",
            "selected_option": {"value": "1:resolved"},  # flag #1, as leads know it
        }
    ]

    slack.interaction(resolve)

    [dm] = [c for c in fake_slack_api.wait_for("chat.postMessage", count=3) if c.body["channel"] == REPORTER]
    assert FLAG_TEXT in str(dm.body)  # the DM did carry the text and reached the reporter ...
    assert logs, "nothing was captured: the check would prove nothing"
    assert [line for _, line in logs if any(secret in line for secret in SECRETS)] == []
    at_info = [line for level, line in logs if level >= logging.INFO]
    assert [line for line in at_info if REPORTER in line or FLAG_TEXT in line] == []  # ... and no log line did


def test_an_oauth_install_and_its_requests_log_no_token_or_client_secret(
    browser: Browser, oauth_slack: SlackSender, logs: list[tuple[int, str]]
) -> None:
    assert browser.install("T2", rotating=True).status == 200

    oauth_slack.command(FLAG_TEXT, team_id="T2", user_id=REPORTER)

    assert logs, "nothing was captured: the check would prove nothing"
    assert [line for _, line in logs if any(secret in line for secret in SECRETS)] == []
    assert [line for level, line in logs if level >= logging.INFO and FLAG_TEXT in line] == []


def test_anonymous_flags_hold_no_plain_reporter_id_anywhere_in_their_row(
    slack: SlackSender, fake_slack_api: FakeSlackApi, engine: Engine
) -> None:
    every_surface(slack, fake_slack_api)

    with engine.connect() as connection:
        rows = connection.execute(select(Flag.__table__)).mappings().all()
    assert len(rows) == 2  # the modal's and the shortcut's; the inline one was withdrawn
    assert [dict(row) for row in rows if REPORTER in repr(dict(row))] == []
