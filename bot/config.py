"""The process configuration, read from the environment once (in `bot.__main__`) and passed down from there.

Nothing else in the app reads `os.environ`: tests build `Config` directly.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace

SLACK_API_URL_DEFAULT = "https://slack.com/api/"
DATABASE_URL_DEFAULT = "sqlite:///deadline_flag.db"  # relative: a file in the working directory
PORT_DEFAULT = 3000
PURGE_AFTER_DAYS_DEFAULT = 30
SINGLE_WORKSPACE_MODE = "single-workspace"
OAUTH_MODE = "oauth"


class ConfigError(Exception):
    """A setting is missing or malformed. The message is one line, meant for the operator."""


@dataclass(frozen=True)
class Config:
    signing_secret: str | None = None
    bot_token: str | None = None  # single-workspace mode; read only by bot.slack.tokens.SingleWorkspace
    app_token: str | None = None  # SLACK_APP_TOKEN (xapp-…): serve over Socket Mode instead of HTTP
    client_id: str | None = None  # OAuth mode: client id and secret together
    client_secret: str | None = None
    # Keeps its trailing slash: slack_sdk joins method names ("chat.postMessage") onto it.
    slack_api_url: str = SLACK_API_URL_DEFAULT
    database_url: str = DATABASE_URL_DEFAULT
    digest_channel: str | None = None
    # The app's public address (https://deadline-flag.example.com), for the reinstall link admins see on Home.
    app_url: str | None = None
    port: int = PORT_DEFAULT
    reporter_key: str | None = None
    # gunicorn worker processes (WEB_CONCURRENCY, as Heroku sets it); None: 1 on SQLite, which takes one writer at
    # a time (more processes only queue on its file lock), else 2. See README, "Benchmarks".
    web_concurrency: int | None = None
    # Threads per worker (WEB_THREADS). A flag costs ~1-2 ms of CPU under the GIL: more threads add contention, not speed.
    web_threads: int = 2

    @property
    def workers(self) -> int:
        if self.web_concurrency is not None:
            return self.web_concurrency
        return 1 if self.database_url.startswith("sqlite") else 2

    purge_after_days: int = PURGE_AFTER_DAYS_DEFAULT  # an uninstalled workspace's data is kept this long

    @property
    def reporter_hash_key(self) -> bytes:
        """The HMAC key for reporter ids: REPORTER_KEY, else the signing secret (see README, "Reporter anonymity")."""
        key = self.reporter_key or self.signing_secret
        if not key:
            raise ConfigError("REPORTER_KEY (or SLACK_SIGNING_SECRET) must be set to store or look up flags")
        return key.encode()

    @property
    def is_socket_mode(self) -> bool:
        """Slack's requests come over a WebSocket the app opens (no public HTTP endpoint, no signatures to check)."""
        return bool(self.app_token)

    def require_serving(self) -> Config:
        """Return self if the web process can start with these settings, else raise ConfigError."""
        if self.app_token and not self.app_token.startswith("xapp-"):
            raise ConfigError("SLACK_APP_TOKEN must be an app-level token (xapp-…, scope connections:write)")
        if not self.signing_secret and not self.is_socket_mode:
            raise ConfigError("SLACK_SIGNING_SECRET is not set: copy it from your Slack app's Basic Information page")
        if self.is_socket_mode and self.require_mode() == OAUTH_MODE:
            raise ConfigError(
                "Socket Mode serves one workspace here: set SLACK_BOT_TOKEN, or unset SLACK_APP_TOKEN for OAuth "
                "installs (their install and redirect pages need HTTP)"
            )
        self.require_mode()
        return self

    @property
    def is_oauth(self) -> bool:
        """True in OAuth mode (SLACK_CLIENT_ID and SLACK_CLIENT_SECRET), False with a single SLACK_BOT_TOKEN."""
        return self.require_mode() == OAUTH_MODE

    def require_mode(self) -> str:
        """OAUTH_MODE or SINGLE_WORKSPACE_MODE; ConfigError unless exactly one way to get tokens is fully set."""
        if bool(self.client_id) != bool(self.client_secret):
            given, missing = ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET")[:: 1 if self.client_id else -1]
            raise ConfigError(f"{given} is set but {missing} is not: OAuth mode needs both (Basic Information page)")
        if self.client_id and self.bot_token:
            raise ConfigError(
                "both SLACK_BOT_TOKEN and SLACK_CLIENT_ID/SLACK_CLIENT_SECRET are set: keep the token for one workspace, "
                "or the client id and secret for OAuth installs, not both"
            )
        if self.client_id:
            return OAUTH_MODE
        if self.bot_token:
            return SINGLE_WORKSPACE_MODE
        raise ConfigError(
            "SLACK_BOT_TOKEN is not set: copy the Bot User OAuth Token from your Slack app's OAuth page "
            "(or set SLACK_CLIENT_ID and SLACK_CLIENT_SECRET to install to any workspace)"
        )

    def with_port(self, port: int | None) -> Config:
        return self if port is None else replace(self, port=port)


def load_config(environ: Mapping[str, str] = os.environ) -> Config:
    """The configuration from environment variables; unset or empty variables take their defaults."""

    def get(name: str) -> str | None:
        value = environ.get(name, "").strip()
        return value or None

    def get_int(name: str, default: int) -> int:
        value = get(name)
        try:
            return int(value) if value else default
        except ValueError:
            raise ConfigError(f"{name} must be a whole number, got {value!r}") from None

    api_url = get("SLACK_API_URL") or SLACK_API_URL_DEFAULT
    return Config(
        signing_secret=get("SLACK_SIGNING_SECRET"),
        bot_token=get("SLACK_BOT_TOKEN"),
        app_token=get("SLACK_APP_TOKEN"),
        client_id=get("SLACK_CLIENT_ID"),
        client_secret=get("SLACK_CLIENT_SECRET"),
        slack_api_url=api_url if api_url.endswith("/") else api_url + "/",
        database_url=normalise_database_url(get("DATABASE_URL") or DATABASE_URL_DEFAULT),
        digest_channel=get("DIGEST_CHANNEL"),
        app_url=(get("APP_URL") or "").rstrip("/") or None,
        port=get_int("PORT", PORT_DEFAULT),
        reporter_key=get("REPORTER_KEY"),
        web_concurrency=get_int("WEB_CONCURRENCY", 0) or None,
        web_threads=get_int("WEB_THREADS", 2),
        purge_after_days=get_int("PURGE_AFTER_DAYS", PURGE_AFTER_DAYS_DEFAULT),
    )


def normalise_database_url(url: str) -> str:
    """Route PostgreSQL URLs to psycopg 3, whatever spelling the platform hands us.

    Heroku-style platforms set DATABASE_URL=postgres://..., which SQLAlchemy would map to psycopg2.
    """
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
