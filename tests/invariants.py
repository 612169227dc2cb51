"""What must hold after any request Slack could sign, whatever its shape: no 5xx, no error logged (an exception that
reached Bolt's or the app's error handler, or failed after-ack work), no row written outside the sending workspace,
and nothing sent to Slack that breaks Block Kit's limits. Used by the fuzz tests (tests/test_fuzz_*.py)."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from typing import Any

from hypothesis import event
from sqlalchemy import Engine, select

from bot.db.slack_stores import SCHEMA_METADATA, list_installed_team_ids
from tests.fake_slack_api import OAUTH_CLIENT_ID, Call, FakeSlackApi
from tests.markup import message_limit_violations, view_limit_violations
from tests.slack_payloads import FAKE_RESPONSE_URL, SENDING_TEAMS
from tests.slack_requests import Browser, Reply, SlackSender, post

TeamRows = dict[str | None, dict[str, tuple[str, ...]]]


class AfterAckWork(ThreadPoolExecutor):
    """The app's pool for after-ack work (a real one), which can also say when everything submitted has finished."""

    def __init__(self) -> None:
        super().__init__(max_workers=8, thread_name_prefix="after-ack")
        self._submitted: list[Future[Any]] = []
        self._lock = threading.Lock()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future = super().submit(fn, *args, **kwargs)
        with self._lock:
            self._submitted.append(future)
        return future

    def drain(self, timeout: float = 15.0) -> None:
        """Wait until all work submitted so far (and any it submitted in turn) has finished."""
        while True:
            with self._lock:
                pending, self._submitted = self._submitted, []
            if not pending:
                return
            _, not_done = wait(pending, timeout)
            assert not not_done, f"{len(not_done)} after-ack job(s) still running after {timeout}s"


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        # slack_sdk logs its own failed calls at ERROR before raising them to us; the app handles those, or they reach
        # the handlers that log here. Bolt logs a request from a workspace with no installation at ERROR, without an
        # exception: a refusal, not a failure (the reply is checked apart).
        if record.name.startswith("bot.") or (record.name.startswith("slack_bolt") and record.exc_info):
            self.records.append(record)


@contextmanager
def logged_errors() -> Iterator[list[logging.LogRecord]]:
    """Every record at ERROR or above from the app or Bolt while the block runs: "listener failed" (the app's error
    handler), Bolt's "Failed to run listener function", "after-ack work failed", "flag not saved"..."""
    collector = _Collector()
    root = logging.getLogger()
    root.addHandler(collector)
    try:
        yield collector.records
    finally:
        root.removeHandler(collector)


def describe(records: list[logging.LogRecord]) -> list[str]:
    return [
        f"{r.name}: {r.getMessage()} {r.exc_info[1]!r}" if r.exc_info else f"{r.name}: {r.getMessage()}" for r in records
    ]


def rows_by_team(engine: Engine) -> TeamRows:
    """Every row of every table with a team_id column (ours and slack_sdk's), grouped by team_id."""
    rows: TeamRows = {}
    with engine.connect() as connection:
        for metadata in SCHEMA_METADATA:
            for table in metadata.sorted_tables:
                if "team_id" not in table.columns:
                    continue
                by_team: dict[str | None, list[str]] = {}
                for row in connection.execute(select(table)).mappings():
                    by_team.setdefault(row["team_id"], []).append(repr(sorted(row.items())))
                for team_id, reprs in by_team.items():
                    rows.setdefault(team_id, {})[table.name] = tuple(sorted(reprs))
    return rows


def changed_teams(before: TeamRows, after: TeamRows) -> set[str | None]:
    return {team for team in before.keys() | after.keys() if before.get(team, {}) != after.get(team, {})}


def sent_to_slack_violations(calls: list[Call]) -> list[str]:
    """Block Kit limits broken by any view or message the app sent (Web API calls and response_url posts)."""
    problems = []
    for call in calls:
        body = call.body
        if call.method in ("views.open", "views.publish", "views.update", "views.push"):
            view = body.get("view")
            found = view_limit_violations(json.loads(view) if isinstance(view, str) else view)
        elif call.method in ("chat.postMessage", "chat.postEphemeral", "chat.update") or "/" in call.method:
            blocks = body.get("blocks")
            found = message_limit_violations({**body, "blocks": json.loads(blocks) if isinstance(blocks, str) else blocks})
        else:
            found = []
        problems += [f"{call.method}: {problem}" for problem in found]
    return problems


class FuzzedApp:
    """The real app over HTTP, with the fake Web API behind it and a way to wait for its after-ack work."""

    def __init__(self, *, slack: SlackSender, fake: FakeSlackApi, engine: Engine, after_ack: AfterAckWork, base_url: str):
        self.slack, self.fake, self.engine, self.after_ack, self.base_url = slack, fake, engine, after_ack, base_url

    def __repr__(self) -> str:  # hypothesis prints the fixtures of a failing example: not every call the fake got
        return f"FuzzedApp({self.slack.url})"

    def reinstall(self) -> None:
        """OAuth mode: install T1 and T2 again where a fuzzed uninstall removed them (through Bolt's OAuth flow)."""
        installed = set(list_installed_team_ids(self.engine, client_id=OAUTH_CLIENT_ID))
        for team_id in sorted(set(SENDING_TEAMS) - installed):
            assert Browser(self.base_url).install(team_id).status == 200

    def _real_urls(self, text: str) -> str:
        return text.replace(FAKE_RESPONSE_URL, self.fake.response_url())

    def form(self, form: dict[str, str]) -> Reply:
        return self.slack.form({k: self._real_urls(v) for k, v in form.items()})

    def interaction(self, payload: Any) -> Reply:
        return self.slack.form({"payload": self._real_urls(json.dumps(payload))})

    def event(self, envelope: Any) -> Reply:
        return post(self.slack.url, self._real_urls(json.dumps(envelope)), content_type="application/json")

    def check(self, send: Callable[[], Reply], *, sending_team: str | None) -> Reply:
        """Send one request and assert the invariants; the reply, for further checks."""
        before = rows_by_team(self.engine)
        calls_before = len(self.fake.calls)
        with logged_errors() as errors:
            reply = send()
            self.after_ack.drain()
        assert reply.status < 500, (reply.status, reply.text[:500])
        assert describe(errors) == []
        changed = changed_teams(before, rows_by_team(self.engine))
        # Seen with `pytest --hypothesis-show-statistics`: how many examples got past the parsing into the database.
        event(f"HTTP {reply.status}, {'rows written' if changed else 'nothing written'}")
        assert changed <= {sending_team}, f"rows changed for {changed - {sending_team}} (sent as {sending_team})"
        assert sent_to_slack_violations(self.fake.calls[calls_before:]) == []
        content_type = next((v for k, v in reply.headers.items() if k.lower() == "content-type"), "")
        if content_type.startswith("application/json") and reply.text:  # Bolt names it "content-type"
            assert message_limit_violations(reply.json()) == []
        return reply
