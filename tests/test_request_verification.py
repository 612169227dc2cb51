"""What Slack did not sign is refused; what it signed but cannot be read gets a 4xx or a 200, never a 5xx."""

from __future__ import annotations

import json
import logging
import time
from urllib.parse import urlencode

import pytest
from slack_bolt.request import BoltRequest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Config
from bot.db.models import Flag
from bot.slack.app import create_app
from tests.slack_requests import SlackSender, post


def flag_count(db: sessionmaker[Session]) -> int:
    with db() as session:
        return session.scalar(select(func.count()).select_from(Flag)) or 0


def test_bad_signature_is_refused_and_nothing_is_stored(slack: SlackSender, db: sessionmaker[Session]) -> None:
    forger = SlackSender(url=slack.url, fake=slack.fake, secret="not-the-signing-secret")

    reply = forger.command("ship it by Friday")

    assert reply.status == 401
    assert flag_count(db) == 0


def test_a_bad_signature_is_logged_as_one_line_without_the_request_text(
    slack: SlackSender, caplog: pytest.LogCaptureFixture
) -> None:
    forger = SlackSender(url=slack.url, fake=slack.fake, secret="a-rotated-signing-secret")
    caplog.set_level(logging.DEBUG)

    reply = forger.command("the CEO wants it by Friday")

    assert reply.status == 401
    refusals = [r for r in caplog.records if "refused" in r.getMessage()]
    assert len(refusals) == 1  # the web layer checks the signature first, on the raw bytes
    assert not any("CEO" in r.getMessage() or "Friday" in r.getMessage() for r in caplog.records)


def test_bolts_own_check_logs_a_bad_signature_without_the_body(
    config: Config, db: sessionmaker[Session], caplog: pytest.LogCaptureFixture
) -> None:
    # Bolt's RequestVerification still runs behind the web layer (and alone wherever the app is served otherwise).
    app = create_app(config, db)
    body = urlencode({"command": "/deadline-flag", "text": "the CEO wants it by Friday", "team_id": "T1", "user_id": "U1"})
    headers = {"x-slack-request-timestamp": [str(int(time.time()))], "x-slack-signature": ["v0=" + "0" * 64]}
    caplog.set_level(logging.DEBUG)

    response = app.dispatch(BoltRequest(body=body, headers=headers))

    assert response.status == 401
    logged = [(r.name, r.getMessage()) for r in caplog.records]
    assert ("slack_bolt.RequestVerification", "request refused: invalid signature") in logged
    assert not any("CEO" in message or "Friday" in message for _, message in logged)


def test_stale_timestamp_is_refused_even_when_correctly_signed(slack: SlackSender, db: sessionmaker[Session]) -> None:
    ten_minutes_ago = int(time.time()) - 600
    form = {"command": "/deadline-flag", "text": "ship it", "team_id": "T1", "user_id": "U1", "channel_id": "C1"}

    reply = slack.form(form, timestamp=ten_minutes_ago)

    assert reply.status == 401
    assert flag_count(db) == 0


def test_missing_signature_headers_are_refused(slack: SlackSender) -> None:
    from urllib.error import HTTPError
    from urllib.request import Request, urlopen

    request = Request(slack.url, data=b"command=%2Fdeadline-flag&text=x", method="POST")
    with pytest.raises(HTTPError) as refused:
        urlopen(request, timeout=5)

    assert refused.value.code == 401


GARBAGE_BODIES = [
    ("application/json", "{not json"),
    ("application/json", "[]"),
    ("application/json", "null"),
    ("application/json", '{"type": "event_callback"}'),
    ("application/json", '{"type": "event_callback", "event": "not an object", "team_id": 7}'),
    ("application/json", '{"type": "url_verification"}'),
    ("application/x-www-form-urlencoded", ""),
    ("application/x-www-form-urlencoded", "payload=%7Bbroken"),
    ("application/x-www-form-urlencoded", "payload=%5B1%2C2%5D"),
    ("application/x-www-form-urlencoded", "payload=" + json.dumps({"type": "block_actions"})),
    ("application/x-www-form-urlencoded", "payload=" + json.dumps({"type": "view_submission", "view": None})),
    ("application/x-www-form-urlencoded", "payload=" + json.dumps({"type": "message_action", "team": "T1"})),
    ("application/x-www-form-urlencoded", urlencode({"command": "/deadline-flag"})),
    ("application/x-www-form-urlencoded", urlencode({"command": "/deadline-flag", "text": "no team or user"})),
    ("application/x-www-form-urlencoded", urlencode({"command": "/something-else", "text": "x", "team_id": "T1"})),
    ("application/x-www-form-urlencoded", "\x00\xff binary-ish %%% &&& ==="),
    ("text/plain", "hello"),
]


@pytest.mark.parametrize(("content_type", "body"), GARBAGE_BODIES)
def test_malformed_but_signed_bodies_never_get_a_5xx(slack: SlackSender, content_type: str, body: str) -> None:
    reply = post(slack.url, body, content_type=content_type)

    assert 200 <= reply.status < 500, (reply.status, reply.text)


def test_a_command_without_a_workspace_is_refused_with_its_text_given_back(
    slack: SlackSender, db: sessionmaker[Session]
) -> None:
    reply = slack.form({"command": "/deadline-flag", "text": "ship it by Friday", "user_id": "U1"})

    assert reply.status == 200
    assert "ship it by Friday" in reply.text
    assert flag_count(db) == 0


@pytest.mark.parametrize("event", [[], "app_home_opened", 7, None])
def test_a_signed_event_envelope_whose_event_is_not_an_object_is_refused_with_a_400_not_an_error(
    slack: SlackSender, caplog: pytest.LogCaptureFixture, event: object
) -> None:
    envelope = {"type": "event_callback", "team_id": "T1", "event": event, "event_id": "Ev1", "api_app_id": "A1"}

    reply = post(slack.url, json.dumps(envelope), content_type="application/json")

    assert reply.status == 400
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


def test_a_body_over_the_cap_is_refused_with_413_before_it_is_read(app_url: str, db: sessionmaker[Session]) -> None:
    from http.client import HTTPConnection

    from bot.slack.web import MAX_BODY_BYTES, SLACK_EVENTS_PATH

    connection = HTTPConnection("127.0.0.1", int(app_url.rsplit(":", 1)[1]), timeout=5)
    connection.putrequest("POST", SLACK_EVENTS_PATH)
    connection.putheader("Content-Type", "application/x-www-form-urlencoded")
    connection.putheader("Content-Length", str(30 * 1024 * 1024))
    connection.endheaders(b"command=%2Fdeadline-flag&text=" + b"x" * 1024)  # 30 MB announced, 1 KB sent

    reply = connection.getresponse()  # answered without waiting for the other 30 MB

    assert reply.status == 413
    assert MAX_BODY_BYTES < 30 * 1024 * 1024
    assert flag_count(db) == 0
    connection.close()


@pytest.mark.parametrize("timestamp", ["abc", "1" * 400, "-5", "1.5e9"])
def test_a_malformed_timestamp_is_refused_with_401_and_one_log_line(
    slack: SlackSender, db: sessionmaker[Session], timestamp: str, caplog: pytest.LogCaptureFixture
) -> None:
    form = urlencode({"command": "/deadline-flag", "text": "ship it", "team_id": "T1", "user_id": "U1", "channel_id": "C1"})
    headers = {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": "v0=" + "0" * 64}

    with caplog.at_level(logging.INFO):
        reply = post(slack.url, form, content_type="application/x-www-form-urlencoded", headers=headers)

    assert reply.status == 401
    assert flag_count(db) == 0
    assert [record.getMessage() for record in caplog.records] == ["unsigned request refused"]
    assert all(record.exc_info is None for record in caplog.records)


def test_an_unsigned_body_is_refused_before_bolt_reads_it(slack: SlackSender, caplog: pytest.LogCaptureFixture) -> None:
    forger = SlackSender(url=slack.url, fake=slack.fake, secret="not-the-signing-secret")

    with caplog.at_level(logging.DEBUG):
        reply = forger.command("a-marker-only-in-the-body " + "x" * 500_000)

    assert reply.status == 401
    # Bolt logs the raw body of a request it cannot verify: never reaching Bolt means never being parsed.
    assert not any("a-marker-only-in-the-body" in record.getMessage() for record in caplog.records)
