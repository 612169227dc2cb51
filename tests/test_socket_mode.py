"""Socket Mode, tested as Slack drives it: a real local WebSocket server (tests/fake_socket_mode.py) that
apps.connections.open hands out, sending envelopes and expecting each acknowledged, into the real app behind
slack-bolt's Socket Mode adapter."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from slack_bolt.adapter.socket_mode import SocketModeHandler
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.blocks import ids
from bot.config import Config
from bot.db import flags as flag_store
from bot.slack.socket_mode import socket_mode_handler
from tests.fake_slack_api import FakeSlackApi
from tests.fake_socket_mode import FakeSocketMode, start_fake_socket_mode
from tests.slack_requests import get, new_trigger_id
from tests.views import block_action, message_shortcut, opened_view, submission

APP_TOKEN = "xapp-1-A1-test"


@pytest.fixture
def socket_mode(fake_slack_api: FakeSlackApi) -> Iterator[FakeSocketMode]:
    fake, server = start_fake_socket_mode()
    fake_slack_api.socket_mode_url = fake.url
    yield fake
    server.shutdown()


@pytest.fixture
def socket_settings(config: Config) -> Config:
    return replace(config, signing_secret=None, app_token=APP_TOKEN)


def connect(config: Config, engine: Engine, socket_mode: FakeSocketMode, count: int = 1) -> SocketModeHandler:
    handler = socket_mode_handler(config, engine)
    handler.connect()
    socket_mode.wait_connected(count)
    return handler


@pytest.fixture
def app(socket_settings: Config, engine: Engine, socket_mode: FakeSocketMode) -> Iterator[SocketModeHandler]:
    handler = connect(socket_settings, engine, socket_mode)
    yield handler
    handler.close()


def command(text: str, *, fake: FakeSlackApi, user_id: str = "U1", trigger_id: str | None = None) -> dict:
    trigger_id = trigger_id or new_trigger_id()
    fake.issue_trigger(trigger_id)
    return {
        "token": "legacy",
        "team_id": "T1",
        "team_domain": "example",
        "channel_id": "C1",
        "channel_name": "general",
        "user_id": user_id,
        "user_name": "someone",
        "command": "/deadline-flag",
        "text": text,
        "api_app_id": "A1",
        "response_url": fake.response_url(),
        "trigger_id": trigger_id,
    }


def interaction(payload: dict, fake: FakeSlackApi) -> dict:
    fake.issue_trigger(payload.get("trigger_id", ""))
    return payload


def stored(db: sessionmaker[Session]) -> list:
    with db() as session:
        return flag_store.list_flags(session, team_id="T1")


def test_an_inline_flag_is_stored_and_its_receipt_is_the_envelopes_ack(
    app: SocketModeHandler, socket_mode: FakeSocketMode, fake_slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    envelope_id = socket_mode.send("slash_commands", command("the payload team wants it by Friday", fake=fake_slack_api))

    ack = socket_mode.ack_of(envelope_id)

    assert ack["payload"]["response_type"] == "ephemeral"
    assert "the payload team wants it by Friday" in json.dumps(ack["payload"]["blocks"])
    assert [f.summary for f in stored(db)] == ["the payload team wants it by Friday"]


def test_an_empty_command_opens_the_form_and_its_submission_stores_the_flag(
    app: SocketModeHandler, socket_mode: FakeSocketMode, fake_slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    socket_mode.ack_of(socket_mode.send("slash_commands", command("", fake=fake_slack_api)))
    view = opened_view(fake_slack_api.wait_for("views.open")[0])

    payload = interaction(submission(view, {ids.SUMMARY_BLOCK: "Ship search by Friday"}), fake_slack_api)
    ack = socket_mode.ack_of(socket_mode.send("interactive", payload))

    assert "payload" not in ack or not ack["payload"].get("errors")
    assert fake_slack_api.refusals == []
    assert [f.summary for f in stored(db)] == ["Ship search by Friday"]


def test_the_message_shortcut_opens_its_form_with_the_message(
    app: SocketModeHandler, socket_mode: FakeSocketMode, fake_slack_api: FakeSlackApi
) -> None:
    message = {"type": "message", "user": "U0PM", "ts": "1700000000.000100", "text": "Ship the export by Friday"}
    payload = interaction(message_shortcut(message, response_url=fake_slack_api.response_url()), fake_slack_api)

    socket_mode.ack_of(socket_mode.send("interactive", payload))

    [opened] = fake_slack_api.wait_for("views.open")
    assert "Ship the export by Friday" in json.dumps(opened_view(opened))


def test_a_button_click_over_the_socket_withdraws_the_flag(
    app: SocketModeHandler, socket_mode: FakeSocketMode, fake_slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    ack = socket_mode.ack_of(socket_mode.send("slash_commands", command("withdraw me", fake=fake_slack_api)))
    flag_id = next(b for b in ack["payload"]["blocks"] if b["type"] == "actions")["elements"][0]["value"]
    click = interaction(block_action(ids.WITHDRAW_FLAG_ACTION, flag_id, user_id="U1"), fake_slack_api)

    socket_mode.ack_of(socket_mode.send("interactive", click))

    [told] = fake_slack_api.wait_for("chat.postMessage")  # no response_url in this click: the result is a DM
    assert told.body["channel"] == "U1" and "was withdrawn" in told.body["text"]
    assert stored(db) == []


def test_app_home_opened_over_the_socket_publishes_the_home_tab(
    app: SocketModeHandler, socket_mode: FakeSocketMode, fake_slack_api: FakeSlackApi
) -> None:
    home = {
        "type": "event_callback",
        "team_id": "T1",
        "api_app_id": "A1",
        "event_id": "Ev1",
        "event_time": 1,
        "event": {"type": "app_home_opened", "user": "U1", "tab": "home"},
        "authorizations": [{"team_id": "T1", "user_id": "UBOT", "is_bot": True, "is_enterprise_install": False}],
    }

    socket_mode.ack_of(socket_mode.send("events_api", home))

    [published] = fake_slack_api.wait_for("views.publish")
    assert published.body["user_id"] == "U1"
    assert ids.NEW_FLAG_ACTION in json.dumps(published.body)


def test_after_slack_asks_for_a_reconnect_the_app_reconnects_and_loses_nothing(
    app: SocketModeHandler, socket_mode: FakeSocketMode, fake_slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    socket_mode.ask_to_reconnect()
    socket_mode.wait_connected()  # the new connection: the old one left the list when Slack asked it to go

    ack = socket_mode.ack_of(socket_mode.send("slash_commands", command("after the reconnect", fake=fake_slack_api)))

    assert socket_mode.connects == 2
    assert len(fake_slack_api.calls_to("apps.connections.open")) == 2
    assert ack["payload"]["response_type"] == "ephemeral"
    assert [f.summary for f in stored(db)] == ["after the reconnect"]


def test_a_redelivered_envelope_changes_nothing_twice(
    app: SocketModeHandler, socket_mode: FakeSocketMode, fake_slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    form = command("once only", fake=fake_slack_api)
    event = {
        "type": "event_callback",
        "team_id": "T1",
        "api_app_id": "A1",
        "event_id": "Ev9",
        "event_time": 1,
        "event": {"type": "app_home_opened", "user": "U1", "tab": "home"},
        "authorizations": [{"team_id": "T1", "user_id": "UBOT", "is_bot": True, "is_enterprise_install": False}],
    }

    for attempt in (0, 1):
        socket_mode.ack_of(socket_mode.send("slash_commands", form, retry_attempt=attempt))
        socket_mode.ack_of(socket_mode.send("events_api", event, retry_attempt=attempt))

    assert [f.summary for f in stored(db)] == ["once only"]
    fake_slack_api.wait_for("views.publish")
    time.sleep(0.3)  # a second publish, were there one, would have been made by now
    assert len(fake_slack_api.calls_to("views.publish")) == 1


def test_two_processes_connected_at_once_each_handle_their_envelopes_once(
    socket_settings: Config,
    engine: Engine,
    socket_mode: FakeSocketMode,
    fake_slack_api: FakeSlackApi,
    db: sessionmaker[Session],
) -> None:
    first = connect(socket_settings, engine, socket_mode)
    second = connect(socket_settings, engine, socket_mode, count=2)
    try:
        envelopes = [socket_mode.send("slash_commands", command(f"flag {i}", fake=fake_slack_api)) for i in range(10)]
        acks = [socket_mode.ack_of(envelope_id) for envelope_id in envelopes]
    finally:
        first.close()
        second.close()

    assert all(ack["payload"]["response_type"] == "ephemeral" for ack in acks)
    assert sorted(f.summary for f in stored(db)) == sorted(f"flag {i}" for i in range(10))


def test_serve_runs_socket_mode_from_the_environment_with_healthz_and_stops_on_sigterm(
    tmp_path: Path, socket_mode: FakeSocketMode, fake_slack_api: FakeSlackApi
) -> None:
    from tests.test_cli import clean_env, free_port

    port = free_port()
    env = clean_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'socket.db'}",
        SLACK_APP_TOKEN=APP_TOKEN,
        SLACK_BOT_TOKEN="xoxb-T1-token",
        REPORTER_KEY="k",
        SLACK_API_URL=fake_slack_api.api_url,
        PORT=str(port),
    )
    serving = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve"], env=env, cwd=tmp_path, stderr=subprocess.PIPE, text=True
    )
    try:
        socket_mode.wait_connected(timeout=30)
        ack = socket_mode.ack_of(
            socket_mode.send("slash_commands", command("over the socket", fake=fake_slack_api)), timeout=10
        )
        health = get(f"http://127.0.0.1:{port}/healthz")
    finally:
        serving.send_signal(signal.SIGTERM)
        _, log = serving.communicate(timeout=20)

    assert ack["payload"]["response_type"] == "ephemeral"
    assert health.status == 200
    assert serving.returncode == 0
    assert '"transport": "socket_mode"' in log


def test_healthz_is_503_while_the_socket_is_not_connected(
    socket_settings: Config, engine: Engine, socket_mode: FakeSocketMode
) -> None:
    from wsgiref.util import setup_testing_defaults

    from bot.slack.socket_mode import health_app

    handler = socket_mode_handler(socket_settings, engine)  # never connected
    environ: dict = {"PATH_INFO": "/healthz", "REQUEST_METHOD": "GET"}
    setup_testing_defaults(environ)
    statuses = []

    body = health_app(handler, engine)(environ, lambda status, headers: statuses.append(status))

    assert statuses == ["503 Service Unavailable"] and b"not connected" in b"".join(body)
    assert os.environ.get("SLACK_APP_TOKEN") is None  # the test process itself runs in HTTP mode
