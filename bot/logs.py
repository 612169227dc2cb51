"""Structured logs: one JSON object a line, with the `extra={...}` fields a call passes."""

from __future__ import annotations

import json
import logging
import secrets
from datetime import UTC, datetime

_STANDARD_ATTRIBUTES = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD_ATTRIBUTES})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class DropBoltTokenNotices(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN from the environment by itself, then warns that it "will be ignored" because the
    app hands it a client (and an authorize): the token *is* used, through them. Those notices would mislead."""

    NOTICES = (
        "As you gave `client` as well, `token` will be unused.",
        "As `installation_store` or `authorize` has been used",
    )

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.name.startswith("slack_bolt") and record.getMessage().startswith(self.NOTICES))


class DropRefusedRequestBodies(logging.Filter):
    """Bolt logs the raw body of a request whose signature fails, at INFO: after a wrong or rotated signing secret,
    every flag's text would go to the log. The fact stays, as one line; the body, signature and timestamp go."""

    NOTICE = "Invalid request signature detected"

    def filter(self, record: logging.LogRecord) -> bool:
        if str(record.msg).startswith(self.NOTICE):
            record.msg, record.args = "request refused: invalid signature", ()
        return True


# On the logger itself, not a handler: it then holds for every handler, the tests' included.
BOLT_REQUEST_VERIFICATION_LOGGER = "slack_bolt.RequestVerification"
_drop_refused_request_bodies = DropRefusedRequestBodies()


def drop_refused_request_bodies() -> None:
    logging.getLogger(BOLT_REQUEST_VERIFICATION_LOGGER).addFilter(_drop_refused_request_bodies)  # once: addFilter dedups


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    handler.addFilter(DropBoltTokenNotices())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Alembic narrates every run at INFO ("Context impl SQLiteImpl."), and the embedded database is
    # migrated before each command: our own "database is at the newest revision" line says what matters.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # slack_sdk logs every request's body and every response at DEBUG: bot tokens from oauth.v2.access, refresh
    # tokens, the text of receipts. Never below INFO, whatever level the process runs at.
    logging.getLogger("slack_sdk").setLevel(max(logging.INFO, logging.getLevelName(level.upper())))


def new_error_ref() -> str:
    """A short reference shown to the user and logged with the error, so support can find one from the other."""
    return secrets.token_hex(4)


def describe_error(error: BaseException) -> str:
    """A failure in a few words fit for a log line: Slack's error code, else the exception's type (never its message,
    which may carry a URL, a token or a flag's text)."""
    response = getattr(error, "response", None)
    code = response.get("error") if hasattr(response, "get") else None
    return f"Slack answered {code}" if code else type(error).__name__
