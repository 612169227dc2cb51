"""Every Web API client the app uses comes from here: listeners get theirs from Bolt (which asks the same
token source), the digest, the clock process and the CLI call `client_for`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

from bot.config import Settings


def create_web_client(settings: Settings, token: str | None = None) -> WebClient:
    """A WebClient on SLACK_API_URL that retries connection errors and 429s (honouring Retry-After), as slack_sdk does."""
    client = WebClient(token=token, base_url=settings.slack_api_url, timeout=10)
    client.retry_handlers = [ConnectionErrorRetryHandler(max_retry_count=2), RateLimitErrorRetryHandler(max_retry_count=2)]
    return client


class Workspaces(Protocol):
    """The workspaces this deployment serves, and a client with each one's token."""

    def client_for(self, team_id: str, enterprise_id: str | None = None) -> WebClient: ...

    def team_ids(self) -> list[str]: ...


@dataclass
class SingleWorkspace:
    """SLACK_BOT_TOKEN mode: one token, one workspace (the token's own, as auth.test reports it)."""

    settings: Settings
    _team_ids: list[str] = field(default_factory=list)

    def client_for(self, team_id: str, enterprise_id: str | None = None) -> WebClient:
        return create_web_client(self.settings, self.settings.bot_token)

    def team_ids(self) -> list[str]:
        if not self._team_ids:
            self._team_ids = [self.client_for("").auth_test()["team_id"]]
        return list(self._team_ids)


def workspaces_for(settings: Settings) -> Workspaces:
    return SingleWorkspace(settings)
