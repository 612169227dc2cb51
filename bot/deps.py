"""What listeners need from the process (database, reporter key, settings), handed over through Bolt's context."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_bolt import BoltContext
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings


@dataclass(frozen=True)
class Deps:
    settings: Settings
    db: sessionmaker[Session]

    @property
    def reporter_key(self) -> bytes:
        return self.settings.reporter_hash_key

    def __deepcopy__(self, memo: dict[int, Any]) -> Deps:
        # Bolt deep-copies the context for lazy listeners; a copied engine would open a second pool per request.
        return self


def deps(context: BoltContext) -> Deps:
    return context["deps"]
