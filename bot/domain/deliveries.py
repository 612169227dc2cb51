"""Slack delivers an event again when it did not get a 200 in time (X-Slack-Retry-Num): take each one once."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.db import deliveries as delivery_store
from bot.db import flags as flag_store

KEEP_FOR = timedelta(days=2)  # Slack retries within minutes


def is_first_delivery(db: sessionmaker[Session], *, delivery_key: str, team_id: str, now: datetime) -> bool:
    """True the first time a key is seen (and from then on it is taken); False for a retry or a replay."""
    try:
        with db.begin() as session:
            delivery_store.insert_delivery(session, delivery_key=delivery_key[:100], team_id=team_id[:32], received_at=now)
        return True
    except IntegrityError:
        return False


def forget_old_deliveries(db: sessionmaker[Session], *, now: datetime) -> int:
    with db.begin() as session:
        return delivery_store.delete_deliveries_before(session, before=now - KEEP_FOR)


def forget_old_request_keys(db: sessionmaker[Session], *, now: datetime) -> int:
    """A flag's request key (trigger or view id) only has to outlive Slack's retries, not the flag."""
    with db.begin() as session:
        return flag_store.clear_request_keys_before(session, before=now - KEEP_FOR)
