"""What listeners need from the process (database, configuration, a pool for after-ack work), handed over through
Bolt's context."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.blocks.flags import something_went_wrong_message
from bot.config import Config
from bot.db.slack_stores import SealedInstallationStore
from bot.domain.agreement import AgreementCache
from bot.logs import describe_error, new_error_ref
from bot.slack.people import People

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Deps:
    config: Config
    db: sessionmaker[Session]
    background: Executor  # work that waits on the Web API, started once the HTTP answer is on its way
    # Work bound to a trigger_id (opening a modal), which Slack lets live 3 seconds: never queued behind `background`.
    urgent: Executor
    installation_store: SealedInstallationStore | None = None  # OAuth mode only: where uninstalls delete the tokens
    people: People = field(default_factory=People)  # users.info answers, kept a few minutes
    agreements: AgreementCache = field(default_factory=AgreementCache)  # the inline command's, checked per flag
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    # Who acted, for this request only (set by the app's middleware): told, with the error reference, when work
    # after the ack fails unexpectedly; the answer has left, so a log line alone would be silence to them.
    actor: tuple[WebClient, str] | None = None

    def for_actor(self, client: WebClient, user_id: str | None) -> Deps:
        return replace(self, actor=(client, user_id)) if user_id else self

    @property
    def reporter_key(self) -> bytes:
        return self.config.reporter_hash_key

    def after_ack(self, work: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Run `work` in the background, so the listener can return and Bolt can answer Slack at once.

        Listeners ack() with their answer and return (process_before_response): whatever waits on the Web
        API (opening a modal, a receipt, a Home publish) goes here and never holds up Slack's 3 seconds.
        """
        self.background.submit(_logged, self.actor, work, *args, **kwargs)

    def open_now(self, work: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Like after_ack, for work that must reach Slack within its trigger's 3 seconds (views.open).

        Its own small pool: ten status clicks waiting on a slow users.info must not hold up a modal.
        """
        self.urgent.submit(_logged, self.actor, work, *args, **kwargs)


def _logged(actor: tuple[WebClient, str] | None, work: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    try:
        work(*args, **kwargs)
    except Exception:
        error_ref = new_error_ref()
        log.exception("after-ack work failed", extra={"work": getattr(work, "__name__", "?"), "error_ref": error_ref})
        if actor is not None:
            client, user_id = actor
            try:  # a DM: the one way that needs no conversation the app may not be in
                client.chat_postMessage(channel=user_id, **something_went_wrong_message(error_ref))
            except Exception as error:
                log.warning("user not told of the failure", extra={"error_ref": error_ref, "error": describe_error(error)})


def deps(context: BoltContext) -> Deps:
    return context["deps"]
