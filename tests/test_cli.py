"""The command line as an operator runs it: a real `python -m bot` process, gunicorn included."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.error import URLError
from urllib.request import urlopen

import pytest
from sqlalchemy import create_engine, text

from tests.fake_slack_api import OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET, FakeSlackApi
from tests.slack_requests import SIGNING_SECRET, SlackSender, get

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def run_bot(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=60)


def clean_env(**values: str) -> dict[str, str]:
    """The process environment without any of the app's settings, plus `values`."""
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL", "REPORTER_KEY", "PORT"))}
    return {**keep, "PYTHONPATH": str(PROJECT_ROOT), **values}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_help_lists_every_command(tmp_path: Path) -> None:
    result = run_bot("--help", env=clean_env(), cwd=tmp_path)

    assert result.returncode == 0
    for command in ("serve", "migrate", "scheduler", "digest", "settings", "agreement", "export", "report", "purge"):
        assert command in result.stdout


def test_serve_without_a_signing_secret_is_a_one_line_error(tmp_path: Path) -> None:
    result = run_bot("serve", env=clean_env(SLACK_BOT_TOKEN="xoxb-1"), cwd=tmp_path)

    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "SLACK_SIGNING_SECRET is not set" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("credentials", "message"),
    [
        ({"SLACK_CLIENT_ID": "111.222"}, "SLACK_CLIENT_ID is set but SLACK_CLIENT_SECRET is not"),
        ({"SLACK_CLIENT_SECRET": "s"}, "SLACK_CLIENT_SECRET is set but SLACK_CLIENT_ID is not"),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_CLIENT_ID": "1", "SLACK_CLIENT_SECRET": "s"}, "both SLACK_BOT_TOKEN and"),
        ({}, "SLACK_BOT_TOKEN is not set"),
    ],
)
def test_serve_with_a_half_configured_mode_is_a_one_line_error(
    credentials: dict[str, str], message: str, tmp_path: Path
) -> None:
    result = run_bot("serve", env=clean_env(SLACK_SIGNING_SECRET=SIGNING_SECRET, **credentials), cwd=tmp_path)

    assert result.returncode == 2
    assert result.stderr.startswith("deadline-flag: ")
    assert result.stderr.strip().count("\n") == 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_malformed_port_is_a_one_line_error(tmp_path: Path) -> None:
    result = run_bot("migrate", env=clean_env(PORT="eighty"), cwd=tmp_path)

    assert result.returncode == 2
    assert result.stderr.strip() == "deadline-flag: PORT must be a whole number, got 'eighty'"


def test_migrate_creates_the_default_sqlite_file_in_the_working_directory(tmp_path: Path) -> None:
    result = run_bot("migrate", env=clean_env(), cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    engine = create_engine(f"sqlite:///{tmp_path / 'deadline_flag.db'}")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    engine.dispose()


def start_serving(tmp_path: Path, env: dict[str, str]) -> tuple[str, subprocess.Popen[str]]:
    """`python -m bot serve --port N` in `tmp_path` with `env`, once /healthz answers."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--port", str(port), "--host", "127.0.0.1"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urlopen(base_url + "/healthz", timeout=2):
                break
        except (URLError, ConnectionError):
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"serve did not come up:\n{process.stdout.read() if process.stdout else ''}")
            time.sleep(0.1)
    return base_url, process


@pytest.fixture
def served(tmp_path: Path, fake_slack_api: FakeSlackApi) -> Iterator[str]:
    """`python -m bot serve` on the default SQLite file with SLACK_BOT_TOKEN, talking to the fake Web API."""
    env = clean_env(
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_BOT_TOKEN="xoxb-T1-token",
        SLACK_API_URL=fake_slack_api.api_url,
        WEB_CONCURRENCY="1",
    )
    base_url, process = start_serving(tmp_path, env)
    yield base_url
    process.terminate()
    process.wait(timeout=30)


def test_serve_in_oauth_mode_says_so_and_offers_the_install_page(tmp_path: Path, fake_slack_api: FakeSlackApi) -> None:
    env = clean_env(
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_CLIENT_ID=OAUTH_CLIENT_ID,
        SLACK_CLIENT_SECRET=OAUTH_CLIENT_SECRET,
        SLACK_API_URL=fake_slack_api.api_url,
        WEB_CONCURRENCY="1",
    )
    base_url, process = start_serving(tmp_path, env)
    try:
        install_page = get(base_url + "/slack/install")
    finally:
        process.terminate()
        output = process.communicate(timeout=30)[0]

    assert install_page.status == 200
    assert f"client_id={OAUTH_CLIENT_ID}" in install_page.text
    assert '"mode": "oauth"' in output
    assert fake_slack_api.calls_to("auth.test") == []  # no token to check at start-up in OAuth mode


def test_serve_opens_no_control_socket_in_the_home_directory(tmp_path: Path, fake_slack_api: FakeSlackApi) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = clean_env(
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_BOT_TOKEN="xoxb-T1-token",
        SLACK_API_URL=fake_slack_api.api_url,
        WEB_CONCURRENCY="1",
        HOME=str(home),
    )
    _, process = start_serving(tmp_path, env)
    try:
        left_in_home = sorted(path.name for path in home.iterdir())
    finally:
        process.terminate()
        process.wait(timeout=30)

    assert left_in_home == []  # gunicorn 25+ would put .gunicorn/gunicorn.ctl here


def test_serve_migrates_the_default_sqlite_file_and_stores_a_flag(
    served: str, tmp_path: Path, fake_slack_api: FakeSlackApi
) -> None:
    slack = SlackSender(url=served + "/slack/events", fake=fake_slack_api)

    reply = slack.command("feature: export button by Friday")

    assert reply.status == 200
    assert reply.json()["response_type"] == "ephemeral"
    engine = create_engine(f"sqlite:///{tmp_path / 'deadline_flag.db'}")
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT flags.team_id, keyword, summary FROM flags"
                " JOIN agreement_clauses ON agreement_clauses.id = flags.clause_id"
            )
        ).all()
    engine.dispose()
    assert [tuple(row) for row in rows] == [("T1", "feature", "export button by Friday")]
    assert fake_slack_api.calls_to("auth.test")  # the start-up token check went to SLACK_API_URL, not slack.com


def seeded_database(tmp_path: Path) -> str:
    """A migrated SQLite file with one T1 flag from a minute ago, released (as flags stored before holding are)."""
    from datetime import UTC, datetime, timedelta

    from bot.db import flags as flag_store
    from bot.db.migrate import upgrade_to_head
    from bot.db.session import create_db_engine, create_session_factory
    from tests.clauses import clause_id

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    upgrade_to_head(url)
    engine = create_db_engine(url)
    a_minute_ago = datetime.now(UTC) - timedelta(minutes=1)
    db = create_session_factory(engine)
    feature = clause_id(db, "feature")
    with db.begin() as session:
        flag_store.add_flag(
            session,
            team_id="T1",
            clause_id=feature,
            summary="CSV export by Friday <!here>",
            reporter_hash="h" * 64,
            created_at=a_minute_ago,
            released_at=a_minute_ago,
        )
    engine.dispose()
    return url


def test_digest_preview_prints_counts_and_excerpts_as_plain_text(tmp_path: Path) -> None:
    env = clean_env(DATABASE_URL=seeded_database(tmp_path))

    result = run_bot("digest", "preview", "--team", "T1", env=env, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert "1 flags" in result.stdout
    lines = result.stdout.splitlines()
    assert re.match(r"Product's side .* 1  ▲1 ", lines[3])  # the side's total, change and trend, then its clauses
    assert re.match(r"  Problems, not features +1  ▲1$", lines[5])
    assert "[Problems, not features · product's side] (open) CSV export by Friday <!here>" in result.stdout


def test_digest_preview_of_a_calendar_week_counts_only_that_week(tmp_path: Path) -> None:
    env = clean_env(DATABASE_URL=seeded_database(tmp_path))  # its one flag is from a minute ago

    old_week = run_bot("digest", "preview", "--team", "T1", "--week", "2020-W01", env=env, cwd=tmp_path)

    assert old_week.returncode == 0, old_week.stderr
    assert "0 flags" in old_week.stdout


def test_digest_preview_of_a_malformed_week_is_a_one_line_error(tmp_path: Path) -> None:
    env = clean_env(DATABASE_URL=seeded_database(tmp_path))

    malformed = run_bot("digest", "preview", "--team", "T1", "--week", "last-week", env=env, cwd=tmp_path)

    assert malformed.returncode == 2
    assert malformed.stderr.strip() == "deadline-flag: 'last-week' is not an ISO week like 2026-W48."


def test_digest_send_posts_once_and_a_second_send_says_so(tmp_path: Path, fake_slack_api: FakeSlackApi) -> None:
    env = clean_env(
        DATABASE_URL=seeded_database(tmp_path),
        SLACK_BOT_TOKEN="xoxb-T1-token",
        SLACK_API_URL=fake_slack_api.api_url,
        DIGEST_CHANNEL="C0LEADS",
    )

    first = run_bot("digest", "send", env=env, cwd=tmp_path)
    second = run_bot("digest", "send", "--team", "T1", env=env, cwd=tmp_path)

    assert first.returncode == 0, first.stderr
    assert "T1: posted the digest" in first.stdout
    assert "already posted" in second.stdout
    assert len(fake_slack_api.calls_to("chat.postMessage")) == 2  # once: a summary and its thread reply


def test_digest_send_with_force_posts_a_week_already_posted(tmp_path: Path, fake_slack_api: FakeSlackApi) -> None:
    env = clean_env(
        DATABASE_URL=seeded_database(tmp_path),
        SLACK_BOT_TOKEN="xoxb-T1-token",
        SLACK_API_URL=fake_slack_api.api_url,
        DIGEST_CHANNEL="C0LEADS",
    )
    run_bot("digest", "send", env=env, cwd=tmp_path)

    forced = run_bot("digest", "send", "--team", "T1", "--force", env=env, cwd=tmp_path)

    assert "T1: posted the digest" in forced.stdout
    assert len(fake_slack_api.calls_to("chat.postMessage")) == 4  # twice: a summary and its thread reply


def test_settings_show_prints_the_effective_settings(tmp_path: Path) -> None:
    env = clean_env(DATABASE_URL=seeded_database(tmp_path), DIGEST_CHANNEL="C0DEFAULT")

    shown = run_bot("settings", "show", "--team", "T1", env=env, cwd=tmp_path)

    assert shown.stdout.splitlines() == [
        "T1: channel C0DEFAULT, every mon at 09:00 UTC",
        "T1: leads (admins and owners only)",
        "T1: flags kept 365 days",
        "T1: min reporters 3 (anonymous flags held until 3 different people have flagged)",
    ]


def test_settings_set_changes_what_it_is_given_and_keeps_the_rest(tmp_path: Path) -> None:
    env = clean_env(DATABASE_URL=seeded_database(tmp_path), DIGEST_CHANNEL="C0DEFAULT")
    args = ("settings", "set", "--team", "T1", "--weekday", "fri", "--hour", "16", "--timezone", "Europe/Paris")

    changed = run_bot(*args, env=env, cwd=tmp_path)
    shown = run_bot("settings", "show", "--team", "T1", env=env, cwd=tmp_path)

    assert changed.returncode == 0, changed.stderr
    assert changed.stdout.splitlines()[0] == "T1: channel C0DEFAULT, every fri at 16:00 Europe/Paris"
    assert shown.stdout.splitlines() == [  # stored, not only printed
        "T1: channel C0DEFAULT, every fri at 16:00 Europe/Paris",
        "T1: leads (admins and owners only)",
        "T1: flags kept 365 days",
        "T1: min reporters 3 (anonymous flags held until 3 different people have flagged)",
    ]


def test_settings_set_refuses_an_unknown_timezone(tmp_path: Path) -> None:
    env = clean_env(DATABASE_URL=seeded_database(tmp_path), DIGEST_CHANNEL="C0DEFAULT")

    bad = run_bot("settings", "set", "--team", "T1", "--timezone", "Mars/Olympus", env=env, cwd=tmp_path)
    shown = run_bot("settings", "show", "--team", "T1", env=env, cwd=tmp_path)

    assert bad.returncode == 2
    assert "is not a timezone" in bad.stderr
    assert "every mon at 09:00 UTC" in shown.stdout  # nothing saved


def test_settings_set_stores_the_leads_with_the_rest_in_one_go(tmp_path: Path) -> None:
    env = clean_env(DATABASE_URL=seeded_database(tmp_path), DIGEST_CHANNEL="C0DEFAULT")

    changed = run_bot("settings", "set", "--team", "T1", "--hour", "8", "--leads", "U0LEAD1, U0LEAD2", env=env, cwd=tmp_path)

    assert changed.returncode == 0, changed.stderr
    assert changed.stdout.splitlines()[:2] == [
        "T1: channel C0DEFAULT, every mon at 08:00 UTC",
        "T1: leads U0LEAD1, U0LEAD2",
    ]


def test_settings_set_refuses_a_lead_that_is_not_a_user_id_and_saves_nothing_else(tmp_path: Path) -> None:
    env = clean_env(DATABASE_URL=seeded_database(tmp_path), DIGEST_CHANNEL="C0DEFAULT")

    bad = run_bot("settings", "set", "--team", "T1", "--hour", "8", "--leads", "U0LEAD1,@alice", env=env, cwd=tmp_path)
    shown = run_bot("settings", "show", "--team", "T1", env=env, cwd=tmp_path)

    assert bad.returncode == 2
    assert "'@alice' is not a user id" in bad.stderr
    assert shown.stdout.splitlines()[:2] == [
        "T1: channel C0DEFAULT, every mon at 09:00 UTC",  # the hour was not saved either
        "T1: leads (admins and owners only)",
    ]


def test_serve_defaults_to_one_process_on_sqlite_and_two_threads() -> None:
    from bot.config import Config, load_config
    from bot.slack.server import gunicorn_options

    sqlite = gunicorn_options(Config(database_url="sqlite:///x.db"))
    postgres = gunicorn_options(Config(database_url="postgresql+psycopg://db/x"))
    pinned = gunicorn_options(load_config({"WEB_CONCURRENCY": "4", "WEB_THREADS": "3"}))

    assert (sqlite["workers"], sqlite["threads"]) == (1, 2)
    assert (postgres["workers"], postgres["threads"]) == (2, 2)
    assert (pinned["workers"], pinned["threads"]) == (4, 3)


def test_misleading_bolt_token_notices_are_dropped_and_other_warnings_kept() -> None:
    import logging

    from bot.logs import DropBoltTokenNotices

    def record(name: str, message: str) -> logging.LogRecord:
        return logging.LogRecord(name, logging.WARNING, __file__, 1, message, None, None)

    notice = DropBoltTokenNotices()

    assert not notice.filter(record("slack_bolt.App", "As you gave `client` as well, `token` will be unused."))
    assert notice.filter(record("slack_bolt.App", "Unhandled request"))
    assert notice.filter(record("bot", "As you gave `client` as well, `token` will be unused."))


def test_settings_set_refuses_a_channel_shared_with_another_organisation_unless_allowed(
    tmp_path: Path, fake_slack_api: FakeSlackApi
) -> None:
    fake_slack_api.add_channel("C0SHARED", is_ext_shared=True)
    env = clean_env(
        DATABASE_URL=seeded_database(tmp_path), SLACK_BOT_TOKEN="xoxb-T1-token", SLACK_API_URL=fake_slack_api.api_url
    )

    refused = run_bot("settings", "set", "--team", "T1", "--channel", "C0SHARED", env=env, cwd=tmp_path)
    allowed = run_bot("settings", "set", "--team", "T1", "--channel", "C0SHARED", "--allow-shared", env=env, cwd=tmp_path)

    assert refused.returncode != 0
    assert "shared with another organisation" in refused.stderr and "--allow-shared" in refused.stderr
    assert allowed.returncode == 0, allowed.stderr
    assert "channel C0SHARED" in allowed.stdout


def test_serve_answers_slack_within_3_seconds_while_20_clients_drip_a_byte_a_second(
    served: str, fake_slack_api: FakeSlackApi
) -> None:
    port = int(served.rsplit(":", 1)[1])
    drippers = [socket.create_connection(("127.0.0.1", port)) for _ in range(20)]
    try:
        for second in range(3):  # each has sent part of a request, and goes on sending
            for sock in drippers:
                sock.sendall(b"POST /slack/events HTTP/1.1\r\nHost: x\r\n"[second : second + 1])
            time.sleep(1)
        slack = SlackSender(url=served + "/slack/events", fake=fake_slack_api)
        started = time.monotonic()
        reply = slack.command("Ship search by Friday")
        answered_in = time.monotonic() - started
    finally:
        for sock in drippers:
            sock.close()

    assert reply.status == 200 and "Ship search by Friday" in reply.text
    assert answered_in < 3  # Slack's limit


def test_a_request_is_whole_once_its_headers_and_content_length_body_are_in() -> None:
    from bot.slack.buffering_worker import is_whole_request
    from bot.slack.web import MAX_BODY_BYTES

    head = b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n"

    assert not is_whole_request(b"POST /slack/events HTTP/1.1\r\nHost:")
    assert not is_whole_request(head + b"abc")
    assert is_whole_request(head + b"abcde")
    assert is_whole_request(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")  # no body
    assert is_whole_request(f"POST / HTTP/1.1\r\ncontent-length: {MAX_BODY_BYTES + 1}\r\n\r\n".encode())  # 413, unread
    assert is_whole_request(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n")  # gunicorn reads it
    assert is_whole_request(b"X" * (64 * 1024 + 1))  # headers without end: gunicorn refuses them
