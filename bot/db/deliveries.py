"""Event ids already taken, so Slack's retries of an event are dropped."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.orm import Session

from bot.db.models import SlackDelivery


def insert_delivery(session: Session, *, delivery_key: str, team_id: str, received_at: datetime) -> None:
    """Raises IntegrityError at flush when the key was already taken."""
    session.add(SlackDelivery(delivery_key=delivery_key, team_id=team_id, received_at=received_at))
    session.flush()


def delete_deliveries_before(session: Session, *, before: datetime) -> int:
    return session.execute(delete(SlackDelivery).where(SlackDelivery.received_at < before)).rowcount
