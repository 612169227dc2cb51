"""Builds the Bolt app and the WSGI application around it. Everything is passed in, so tests build the real thing."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from slack_bolt import App, BoltContext, BoltResponse
from slack_sdk.oauth.installation_store import Installation
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

import bot.slack.bolt_patches  # noqa: F401  (slack-bolt's parse_body fix, applied on import)
from bot.config import Config
from bot.db.session import engine_of
from bot.db.slack_stores import SealedInstallationStore, seal_stored_tokens
from bot.domain import orgs, uninstalls
from bot.domain.deliveries import is_first_delivery
from bot.domain.workspace_settings import is_user_id
from bot.listeners import register_listeners
from bot.listeners.errors import handle_unexpected_error
from bot.logs import drop_refused_request_bodies
from bot.slack.deps import Deps
from bot.slack.middleware import PlainMiddleware
from bot.slack.oauth import create_oauth_settings
from bot.slack.placement import is_installation_event, place_in_workspace
from bot.slack.tokens import AFTER_ACK_TIMEOUT_SECONDS, SingleWorkspace, create_web_client
from bot.slack.web import is_slack_response_url

log = logging.getLogger(__name__)


def prepare_for_authorize(body: dict, context: BoltContext, next: Callable[[], BoltResponse]) -> BoltResponse:
    """400 for an Events API body whose `event` is not an object, once its signature is checked: Bolt's authorization
    middleware reads it as one, and would raise into the app's error handler.

    Also forgets a response_url that is not Slack's (Bolt itself posts to it when it finds no installation) and a
    user id that is not a Slack user's (so it reaches no query, hash or Web API call: PostgreSQL refuses a NUL in
    text, for one; listeners answer a request without a user as Slack never sends one), and places an org-wide
    install's request in the workspace it came from (bot.slack.placement), so that authorize and every listener see
    that workspace as `context.team_id`."""
    if "event" in body and not isinstance(body["event"], dict):
        log.warning("malformed event envelope refused", extra={"event_type": type(body["event"]).__name__})
        return BoltResponse(status=400, body="bad request")
    response_url = context.get("response_url")
    if isinstance(response_url, str) and not is_slack_response_url(response_url, api_url=context.client.base_url):
        del context["response_url"]
    if context.user_id is not None and not is_user_id(context.user_id):
        del context["user_id"]
    place_in_workspace(body, context)
    return next()


def remember_org_workspace(
    db: sessionmaker[Session], *, team_id: str, enterprise_id: str, now: Callable[[], datetime]
) -> None:
    """An org-wide installation served a request from this workspace: record the workspace's org, once, so the clock
    and an uninstall from the org reach it. Runs after the answer, and never fails the request."""
    try:
        if orgs.record_org_workspace(db, team_id=team_id, enterprise_id=enterprise_id, now=now()):
            log.info("workspace of an org-wide install recorded", extra={"team_id": team_id, "enterprise_id": enterprise_id})
    except SQLAlchemyError:
        log.warning("workspace of an org-wide install not recorded", extra={"team_id": team_id})


def seal_tokens_left_in_clear(store: SealedInstallationStore) -> None:
    """Tokens stored before they were sealed, and superseded ones, are dealt with once the key is at hand."""
    try:
        changed = seal_stored_tokens(store.engine, store.cipher)
    except SQLAlchemyError:
        log.warning("stored tokens not checked: database unavailable")
        return
    if changed:
        log.info("stored tokens sealed or cleared", extra={"rows": changed})


def create_app(
    config: Config,
    db: sessionmaker[Session],
    background: ThreadPoolExecutor | None = None,
    urgent: ThreadPoolExecutor | None = None,
) -> App:
    """The Bolt app. `background` runs after-ack work, `urgent` the work bound to a trigger_id (tests pass theirs,
    to wait for it before tearing down)."""
    background = background or ThreadPoolExecutor(max_workers=8, thread_name_prefix="after-ack")
    urgent = urgent or ThreadPoolExecutor(max_workers=4, thread_name_prefix="trigger")
    drop_refused_request_bodies()
    installation_store = None
    if config.is_oauth:

        def on_installed(installation: Installation) -> None:
            if installation.is_enterprise_install and installation.enterprise_id:
                # Org-wide: the org's workspaces the app served before the uninstall keep their data.
                if kept := uninstalls.cancel_org_purge(db, enterprise_id=installation.enterprise_id):
                    log.info("re-installed in the org: purges cancelled", extra={"team_ids": kept})
            elif installation.team_id and uninstalls.cancel_purge(db, team_id=installation.team_id):
                log.info("re-installed: purge cancelled", extra={"team_id": installation.team_id})

        oauth_settings, authorize = create_oauth_settings(config, engine_of(db), on_installed=on_installed)
        installation_store = oauth_settings.installation_store
        seal_tokens_left_in_clear(installation_store)
        # No token on this client: Bolt sets each request's token from the installation store. Bolt copies its
        # base_url and retry handlers into every request's context.client, so listeners call SLACK_API_URL too.
        mode: dict[str, Any] = {
            "client": create_web_client(config, timeout=AFTER_ACK_TIMEOUT_SECONDS),
            "oauth_settings": oauth_settings,
            "authorize": authorize,
        }
    else:
        # One token whatever the team: SingleWorkspace is the one place that holds it. Its authorize answers
        # without a Web API call, so a flag is stored even when Slack's API is unreachable (Bolt's own
        # single-team authorization calls auth.test first); the token is checked once at start-up instead.
        single = SingleWorkspace(config)
        mode = {
            "client": create_web_client(config, config.bot_token, timeout=AFTER_ACK_TIMEOUT_SECONDS),
            "authorize": single.bolt_authorize(),
        }
    app = App(
        signing_secret=config.signing_secret,
        # Listeners run in the request thread and ack() with their answer, so Bolt returns as soon as they do
        # instead of polling for ack() every 10 ms. Anything that waits on the Web API goes to Deps.after_ack
        # (or Deps.open_now), not to Bolt's lazy listeners, which would do the same job dearer: Bolt deep-copies
        # the whole request for each lazy function, has one pool (a modal's 3-second trigger would queue behind
        # Home publishes), and only logs a lazy function's failure. Measured on 2 CPUs, 500 empty commands that
        # open the modal (`benchmarks/run.py --text "" --lazy-listeners`), ours against lazy listeners:
        #   CPU per request 1.50 vs 1.70 ms (SQLite), 1.70 vs 2.00 ms (PostgreSQL); p50 at concurrency 1 1.8 vs 1.9
        #   and 1.9 vs 2.0 ms; throughput at concurrency 16 719 vs 510 and 1189 vs 947 requests/s.
        process_before_response=True,
        logger=logging.getLogger("slack_bolt"),
        listener_executor=background,
        before_authorize=PlainMiddleware(prepare_for_authorize),
        # Over Socket Mode nothing is signed: the socket, opened with the app-level token, is the proof.
        request_verification_enabled=not config.is_socket_mode,
        **mode,
    )
    app_deps = Deps(config=config, db=db, background=background, urgent=urgent, installation_store=installation_store)

    def prepare_request(body: dict, context: BoltContext, next: Callable[[], None]) -> BoltResponse | None:
        # 1. Hand listeners the long-lived things (a session factory, never an open session): next() only marks
        #    the chain to go on, and the listener may run in another thread.
        context["deps"] = app_deps.for_actor(context.client, context.user_id)
        # 2. Slack redelivers an event it got no 200 for in time: each event_id is taken once (no second Home
        #    publish, no second uninstall). If the database cannot say, the event is handled: better twice than never.
        # A request without a workspace is refused (bot/listeners/unplaced.py) and stores nothing, this record included.
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if isinstance(event_id, str) and event_id and context.team_id:
            try:
                first = is_first_delivery(db, delivery_key=event_id, team_id=context.team_id, now=app_deps.clock())
            except SQLAlchemyError:
                log.warning("could not check for a retried event", extra={"team_id": context.team_id})
                first = True
            if not first:
                log.info("retried event dropped", extra={"team_id": context.team_id, "event_id": event_id})
                return BoltResponse(status=200, body="")
        # 3. An org-wide installation serves every workspace of its org: remember the org of this one (after the answer).
        if context.is_enterprise_install and context.enterprise_id and context.team_id and not is_installation_event(body):
            app_deps.background.submit(
                remember_org_workspace, db, team_id=context.team_id, enterprise_id=context.enterprise_id, now=app_deps.clock
            )
        next()
        return None

    app.use(PlainMiddleware(prepare_request))
    app.error(handle_unexpected_error)
    register_listeners(app)
    return app
