"""Builds the Bolt app and the WSGI application around it. Everything is passed in, so tests build the real thing."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App, BoltContext
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.deps import Deps
from bot.listeners import register_listeners
from bot.listeners.errors import handle_unexpected_error
from bot.workspaces import create_web_client


def create_app(settings: Settings, db: sessionmaker[Session], background: ThreadPoolExecutor | None = None) -> App:
    """The Bolt app. `background` runs after-ack work (tests pass theirs, to wait for it before tearing down)."""
    background = background or ThreadPoolExecutor(max_workers=8, thread_name_prefix="after-ack")
    app = App(
        signing_secret=settings.signing_secret,
        client=create_web_client(settings, settings.bot_token),
        # Listeners run in the request thread and ack() with their answer, so Bolt returns as soon as they do
        # instead of polling for ack() every 10 ms. Anything that waits on the Web API goes to a lazy listener.
        process_before_response=True,
        # The token is checked once at start-up (bot.slack_checks), not in every worker as it boots.
        token_verification_enabled=False,
        logger=logging.getLogger("slack_bolt"),
        listener_executor=background,
    )
    app_deps = Deps(settings=settings, db=db, background=background)

    @app.middleware
    def provide_deps(context: BoltContext, next: Callable[[], None]) -> None:
        # next() only marks the chain to go on; the listener runs later, maybe in another thread.
        # So hand over long-lived things (a session factory), never an open session.
        context["deps"] = app_deps
        next()

    app.error(handle_unexpected_error)
    register_listeners(app)
    return app
