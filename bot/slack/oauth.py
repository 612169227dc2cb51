"""OAuth mode: Bolt's OAuth flow on slack_sdk's SQLAlchemy installation and state stores, in the app's own database.

Both stores take the app's engine; their tables come from the Alembic migrations (bot/db/slack_stores.py), never
from `create_tables()`. The state store is in the database too, so any web process can finish an install.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_bolt.response import BoltResponse
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine

from bot.config import Config
from bot.slack.scopes import BOT_SCOPES
from bot.slack.tokens import (
    REFRESH_BEFORE_EXPIRY_MINUTES,
    InstalledWorkspaces,
    StoredInstallationAuthorize,
    create_installation_store,
)
from bot.slack.web import INSTALL_PATH, OAUTH_REDIRECT_PATH

log = logging.getLogger(__name__)

OAUTH_STATE_EXPIRATION_SECONDS = 600  # an install started in the browser must finish within 10 minutes


def create_oauth_settings(
    config: Config, engine: Engine, *, on_installed: Callable[[Installation], None]
) -> tuple[OAuthSettings, StoredInstallationAuthorize]:
    """Bolt's OAuth settings, and the authorize step to give App alongside them.

    `on_installed(installation)` runs after an install is stored (a re-install cancels a pending purge: the
    workspace's, or for an org-wide install those of the org's workspaces).
    """
    assert config.client_id and config.client_secret  # Config.require_mode() chose OAuth mode
    installation_store = create_installation_store(config, engine)
    oauth_settings = OAuthSettings(
        client_id=config.client_id,
        client_secret=config.client_secret,
        scopes=list(BOT_SCOPES),
        user_scopes=[],
        install_path=INSTALL_PATH,
        redirect_uri_path=OAUTH_REDIRECT_PATH,
        installation_store=installation_store,
        state_store=SQLAlchemyOAuthStateStore(expiration_seconds=OAUTH_STATE_EXPIRATION_SECONDS, engine=engine, logger=log),
        state_expiration_seconds=OAUTH_STATE_EXPIRATION_SECONDS,
        token_rotation_expiration_minutes=REFRESH_BEFORE_EXPIRY_MINUTES,
        logger=log,
    )
    oauth_settings.callback_options = CallbackOptions(success=_after_install(on_installed), failure=_logged_failure())
    # OAuthSettings builds its own authorize, which calls auth.test before any listener and refreshes through slack.com.
    # Ours reads the stored installation only, and refreshes through SLACK_API_URL with the retry handlers.
    authorize = InstalledWorkspaces(config, installation_store).bolt_authorize()
    return oauth_settings, authorize


def _after_install(on_installed: Callable[[Installation], None]) -> Callable[[SuccessArgs], BoltResponse]:
    def success(args: SuccessArgs) -> BoltResponse:
        installation = args.installation
        log.info(
            "installed",
            extra={
                "team_id": installation.team_id,
                "enterprise_id": installation.enterprise_id,
                "is_enterprise_install": installation.is_enterprise_install,
            },
        )
        on_installed(installation)
        # For an org-wide install Bolt's page links to the org's "add to workspaces" page (from auth.test's url).
        return args.default.success(args)

    return success


def _logged_failure() -> Callable[[FailureArgs], BoltResponse]:
    def failure(args: FailureArgs) -> BoltResponse:
        log.warning("install failed", extra={"reason": args.reason})
        return args.default.failure(args)

    return failure
