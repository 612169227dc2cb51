"""The command line as an operator runs it: a real `python -m bot` process, gunicorn included."""

from __future__ import annotations

import os
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
    for command in ("serve", "migrate", "purge"):
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


def test_serve_migrates_the_default_sqlite_file_and_stores_a_flag(
    served: str, tmp_path: Path, fake_slack_api: FakeSlackApi
) -> None:
    slack = SlackSender(url=served + "/slack/events", response_url=fake_slack_api.response_url())

    reply = slack.command("feature: export button by Friday")

    assert reply.status == 200
    assert reply.json()["response_type"] == "ephemeral"
    engine = create_engine(f"sqlite:///{tmp_path / 'deadline_flag.db'}")
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT team_id, category, summary FROM flags")).all()
    engine.dispose()
    assert [tuple(row) for row in rows] == [("T1", "feature_not_problem", "export button by Friday")]
    assert fake_slack_api.calls_to("auth.test")  # the start-up token check went to SLACK_API_URL, not slack.com
