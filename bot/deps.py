"""What listeners need from the process (database, settings, a pool for after-ack work), handed over through
Bolt's context."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from slack_bolt import BoltContext
from slack_sdk.oauth.installation_store import InstallationStore
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.logs import new_error_ref
from bot.people import People

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Deps:
    settings: Settings
    db: sessionmaker[Session]
    background: Executor  # work that waits on the Web API, started once the HTTP answer is on its way
    installation_store: InstallationStore | None = None  # OAuth mode only: where uninstalls delete the tokens
    people: People = field(default_factory=People)  # users.info answers, kept a few minutes
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)

    @property
    def reporter_key(self) -> bytes:
        return self.settings.reporter_hash_key

    def after_ack(self, work: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Run `work` in the background, so the listener can return and Bolt can answer Slack at once.

        Listeners ack() with their answer and return (process_before_response): whatever waits on the Web
        API (opening a modal, a receipt, a Home publish) goes here and never holds up Slack's 3 seconds.
        """
        self.background.submit(_logged, work, *args, **kwargs)

    def __deepcopy__(self, memo: dict[int, Any]) -> Deps:
        # Bolt deep-copies the context for lazy listeners; a copied engine would open a second pool.
        return self


def _logged(work: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    try:
        work(*args, **kwargs)
    except Exception:
        log.exception("after-ack work failed", extra={"work": getattr(work, "__name__", "?"), "error_ref": new_error_ref()})


def deps(context: BoltContext) -> Deps:
    return context["deps"]
