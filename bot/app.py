"""Builds the Bolt app and the WSGI application around it. Everything is passed in, so tests build the real thing."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import App, BoltContext, BoltResponse
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.db.session import engine_of
from bot.deps import Deps
from bot.domain import workspaces as workspace_life
from bot.listeners import register_listeners
from bot.listeners.errors import handle_unexpected_error
from bot.oauth import create_oauth_settings
from bot.workspaces import SingleWorkspace, create_web_client

log = logging.getLogger(__name__)


def refuse_malformed_event(body: dict, next: Callable[[], BoltResponse]) -> BoltResponse:
    """400 for an Events API body whose `event` is not an object, once its signature is checked: Bolt's authorization
    middleware reads it as one, and would raise into the app's error handler."""
    if "event" in body and not isinstance(body["event"], dict):
        log.warning("malformed event envelope refused", extra={"event_type": type(body["event"]).__name__})
        return BoltResponse(status=400, body="bad request")
    return next()


def create_app(settings: Settings, db: sessionmaker[Session], background: ThreadPoolExecutor | None = None) -> App:
    """The Bolt app. `background` runs after-ack work (tests pass theirs, to wait for it before tearing down)."""
    background = background or ThreadPoolExecutor(max_workers=8, thread_name_prefix="after-ack")
    installation_store = None
    if settings.is_oauth:

        def on_installed(team_id: str) -> None:
            if workspace_life.cancel_purge(db, team_id=team_id):
                log.info("re-installed: purge cancelled", extra={"team_id": team_id})

        oauth_settings, authorize = create_oauth_settings(settings, engine_of(db), on_installed=on_installed)
        installation_store = oauth_settings.installation_store
        # No token on this client: Bolt sets each request's token from the installation store. Bolt copies its
        # base_url and retry handlers into every request's context.client, so listeners call SLACK_API_URL too.
        mode: dict[str, Any] = {
            "client": create_web_client(settings),
            "oauth_settings": oauth_settings,
            "authorize": authorize,
        }
    else:
        # One token whatever the team: SingleWorkspace is the one place that holds it.
        mode = {
            "client": SingleWorkspace(settings).client_for(team_id=""),
            # The token is checked once at start-up (bot.slack_checks), not in every worker as it boots.
            "token_verification_enabled": False,
        }
    app = App(
        signing_secret=settings.signing_secret,
        # Listeners run in the request thread and ack() with their answer, so Bolt returns as soon as they do
        # instead of polling for ack() every 10 ms. Anything that waits on the Web API goes to a lazy listener.
        process_before_response=True,
        logger=logging.getLogger("slack_bolt"),
        listener_executor=background,
        before_authorize=refuse_malformed_event,
        **mode,
    )
    app_deps = Deps(settings=settings, db=db, background=background, installation_store=installation_store)

    @app.middleware
    def provide_deps(context: BoltContext, next: Callable[[], None]) -> None:
        # next() only marks the chain to go on; the listener runs later, maybe in another thread.
        # So hand over long-lived things (a session factory), never an open session.
        context["deps"] = app_deps
        next()

    app.error(handle_unexpected_error)
    register_listeners(app)
    return app
