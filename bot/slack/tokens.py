"""Every Web API client the app uses comes from here: listeners get theirs from Bolt (which asks the same
token source), the digest, the clock process and the CLI call `client_for`."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from slack_bolt import BoltContext
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.authorize import Authorize
from slack_sdk import WebClient
from slack_sdk.errors import SlackTokenRotationError
from slack_sdk.http_retry import HttpRequest, HttpResponse, RetryState
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.token_rotation import TokenRotator
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from bot.config import Config, ConfigError
from bot.db.orgs import list_org_team_ids
from bot.db.session import create_db_engine
from bot.db.slack_stores import (
    SealedInstallationStore,
    TokenCipher,
    find_enterprise_id,
    find_org_of_workspace,
    list_installed_team_ids,
)

log = logging.getLogger(__name__)

# Refresh a rotating token this long before it expires: Bolt does it per request (bot.slack.oauth), InstalledWorkspaces
# for the clock process and the CLI, which get no request to trigger Bolt's refresh.
REFRESH_BEFORE_EXPIRY_MINUTES = 120


class NotInstalled(LookupError):
    """No installation with a bot token for this workspace (never installed, or uninstalled)."""


# How long one Web API call may take, by who waits on it. Bolt gives each request's listeners a copy of the app's
# client, timeout included.
WEB_API_TIMEOUT_SECONDS = 10  # the clock and the CLI: nobody is watching the clock
AFTER_ACK_TIMEOUT_SECONDS = 5  # the web process's after-ack work: someone clicked and waits for the result
TRIGGER_TIMEOUT_SECONDS = 2  # views.open: Slack refuses the trigger_id 3 seconds after the click


def create_web_client(config: Config, token: str | None = None, *, timeout: int = WEB_API_TIMEOUT_SECONDS) -> WebClient:
    """A WebClient on SLACK_API_URL that retries connection errors and 429s (honouring Retry-After), as slack_sdk does."""
    client = WebClient(token=token, base_url=config.slack_api_url, timeout=timeout)
    client.retry_handlers = [ConnectionErrorRetryHandler(max_retry_count=2), RateLimitErrorRetryHandler(max_retry_count=2)]
    return client


def for_trigger(client: WebClient) -> WebClient:
    """The same token and API, for a call bound to a trigger_id: a short timeout, and a retry only for a 429 that asks
    for none of the trigger's 3 seconds (a longer Retry-After, or a second timeout, would land after it expired)."""
    trigger_client = WebClient(
        token=client.token, base_url=client.base_url, timeout=TRIGGER_TIMEOUT_SECONDS, logger=client.logger
    )
    trigger_client.retry_handlers = [_ImmediateRateLimitRetry(max_retry_count=1)]
    return trigger_client


class _ImmediateRateLimitRetry(RateLimitErrorRetryHandler):
    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is None or response.status_code != 429:
            return False
        retry_after = next((v for k, v in response.headers.items() if k.lower() == "retry-after"), ["1"])
        return retry_after[0].strip() == "0"  # slack_sdk then waits under a second


def create_installation_store(config: Config, engine: Engine) -> SealedInstallationStore:
    """slack_sdk's store on the app's engine, its tokens sealed under REPORTER_KEY; its tables come from the
    migrations (bot/db/slack_stores.py)."""
    if not config.client_id:
        raise ConfigError("SLACK_CLIENT_ID is not set: installations are stored in OAuth mode only")
    return SealedInstallationStore(
        client_id=config.client_id, engine=engine, cipher=TokenCipher(config.reporter_hash_key), logger=log
    )


class Workspaces(Protocol):
    """The workspaces this deployment serves, and a client with each one's token."""

    def client_for(self, team_id: str, enterprise_id: str | None = None) -> WebClient: ...

    def team_ids(self) -> list[str]: ...


@dataclass
class SingleWorkspace:
    """SLACK_BOT_TOKEN mode: one token, one workspace (the token's own, as auth.test reports it); or, for a token of
    an app installed org-wide on Enterprise Grid, the workspaces of that org the app has served."""

    config: Config
    engine: Engine | None = None  # where the org's workspaces are recorded (an org-level token only)
    _identity: dict[str, Any] = field(default_factory=dict)

    def client_for(self, team_id: str, enterprise_id: str | None = None) -> WebClient:
        return create_web_client(self.config, self.config.bot_token)

    def check_token(self) -> dict[str, Any]:
        """auth.test's answer for the token, asked once (SlackApiError if Slack refuses the token)."""
        if not self._identity:
            self._identity = dict(self.client_for("").auth_test().data)  # type: ignore[arg-type]
        return self._identity

    def team_ids(self) -> list[str]:
        identity = self.check_token()
        if not identity.get("is_enterprise_install"):
            return [identity["team_id"]]
        # An org-level token names no workspace: the org's are those its requests came from (bot.domain.orgs).
        if self.engine is None:
            self.engine = create_db_engine(self.config.database_url)
        with Session(self.engine) as session:
            return list_org_team_ids(session, enterprise_id=str(identity.get("enterprise_id")))

    def bolt_authorize(self) -> Callable[..., AuthorizeResult]:
        """Bolt's authorize for this mode: the one token, for the workspace the request comes from.

        A plain function: Bolt injects arguments by parameter name, and a bound method's `self` confuses it.
        """
        token = self.config.bot_token

        def authorize(enterprise_id: str | None, team_id: str | None, user_id: str | None) -> AuthorizeResult:
            return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, user_id=user_id, bot_token=token)

        return authorize


@dataclass
class InstalledWorkspaces:
    """OAuth mode: each workspace's bot token from the installation store, refreshed first if it is about to expire.

    Bolt refreshes tokens when a request comes in; the clock process and the CLI have no request, so this does the
    same through the same store: a refreshed token is saved, and the next web request finds it there.
    """

    config: Config
    store: SealedInstallationStore
    refresh_before_minutes: int = REFRESH_BEFORE_EXPIRY_MINUTES

    def client_for(self, team_id: str, enterprise_id: str | None = None) -> WebClient:
        return create_web_client(self.config, self.installation_serving(team_id, enterprise_id).bot_token)

    def installation_serving(self, team_id: str, enterprise_id: str | None = None) -> Installation:
        """The installation that serves a workspace when no request says how: its own, else its org's org-wide one."""
        if enterprise_id is None:  # a Grid workspace's installation is stored under its org too
            enterprise_id = find_enterprise_id(self.store.engine, client_id=self.store.client_id, team_id=team_id)
        try:
            return self.installation_for(team_id, enterprise_id)
        except NotInstalled:
            org = find_org_of_workspace(self.store.engine, team_id=team_id)
            if org is None:
                raise
            return self.installation_for(team_id, org, is_enterprise_install=True)

    def installation_for(
        self, team_id: str | None, enterprise_id: str | None = None, *, is_enterprise_install: bool | None = False
    ) -> Installation:
        """The workspace's stored installation, its bot token refreshed first if it is about to expire."""
        installation = self.store.find_installation(
            enterprise_id=enterprise_id, team_id=team_id, is_enterprise_install=is_enterprise_install
        )
        if installation is None or not installation.bot_token:
            where = f"org {enterprise_id}" if is_enterprise_install else f"workspace {team_id}"
            raise NotInstalled(f"deadline-flag is not installed in {where}")
        if not installation.bot_refresh_token:  # token rotation is off for this app
            return installation
        # TokenRotator calls oauth.v2.access on its own client: ours, so it goes to SLACK_API_URL.
        rotator = TokenRotator(
            client_id=self.store.client_id,
            client_secret=self.config.client_secret or "",
            client=create_web_client(self.config),
        )
        try:
            refreshed = rotator.perform_token_rotation(
                installation=installation, minutes_before_expiration=self.refresh_before_minutes
            )
        except SlackTokenRotationError:
            # Refreshing starts 2 hours early: a token that has not expired yet still works, so use it and retry later.
            if (installation.bot_token_expires_at or 0) <= time.time():
                raise
            log.warning("bot token refresh failed; the current token is still valid", extra={"team_id": team_id})
            return installation
        if refreshed is None:
            return installation
        self.store.save(refreshed)
        log.info("bot token refreshed", extra={"team_id": team_id})
        return refreshed

    def bolt_authorize(self) -> StoredInstallationAuthorize:
        """Bolt's authorize for this mode: from the stored installation alone, no auth.test on the request path."""
        return StoredInstallationAuthorize(self)

    def team_ids(self) -> list[str]:
        return list_installed_team_ids(self.store.engine, client_id=self.store.client_id)


class StoredInstallationAuthorize(Authorize):
    """Authorises a request from the installation OAuth stored: its bot token, bot id and bot user id.

    Bolt's InstallationStoreAuthorize calls auth.test for each token before any listener (once per process with its
    cache): after every deploy or rotation, a Slack that is slow, rate-limited or failing costs the user their flag.
    oauth.v2.access already told us at install what auth.test would say.
    """

    def __init__(self, workspaces: InstalledWorkspaces) -> None:
        self.workspaces = workspaces

    def __call__(
        self,
        *,
        context: BoltContext,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None,
        **_actor: str | None,
    ) -> AuthorizeResult | None:
        try:
            installation = self.workspaces.installation_for(
                team_id, enterprise_id, is_enterprise_install=context.is_enterprise_install
            )
        except NotInstalled:
            return None  # Bolt refuses the request (and says the app is not installed)
        except SlackTokenRotationError:
            log.error("bot token expired and could not be refreshed", extra={"team_id": team_id})
            return None
        return AuthorizeResult(
            enterprise_id=installation.enterprise_id,
            team_id=installation.team_id,
            team=installation.team_name,
            bot_user_id=installation.bot_user_id,
            bot_id=installation.bot_id,
            bot_token=installation.bot_token,
            bot_scopes=installation.bot_scopes,
            user_id=user_id,
        )


def workspaces_for(config: Config, engine: Engine | None = None) -> Workspaces:
    """The token source for the configured mode. OAuth mode reads the installation store on `engine`
    (else one made from DATABASE_URL)."""
    if not config.is_oauth:
        return SingleWorkspace(config, engine)
    if engine is None:
        engine = create_db_engine(config.database_url)
    return InstalledWorkspaces(config, create_installation_store(config, engine))
