"""Each workspace's digest channel, weekday, hour and timezone, with the deployment's defaults behind them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlalchemy.orm import Session, sessionmaker

from bot.db import settings as settings_store

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_WEEKDAY = 0  # Monday
DEFAULT_HOUR = 9
DEFAULT_TIMEZONE = "UTC"
DEFAULT_RETENTION_DAYS = 365
RETENTION_DAYS_MIN, RETENTION_DAYS_MAX = 7, 3650
_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,30}$")


class InvalidSetting(Exception):
    """A setting value that cannot be used; the message says what would be accepted."""


@dataclass(frozen=True)
class DigestSchedule:
    team_id: str
    channel_id: str | None
    weekday: int
    hour: int
    timezone: str
    channel_shared_ok: bool = False  # an admin confirmed a channel shared with another organisation

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def iso_week(self, now: datetime) -> str:
        """The ISO week `now` falls in, in the workspace's timezone: the digest's once-a-week key."""
        year, week, _ = now.astimezone(self.zone).isocalendar()
        return f"{year}-W{week:02d}"

    def due_at(self, now: datetime) -> datetime:
        """This week's digest moment (the chosen weekday and hour, local time), for the week `now` is in."""
        local = now.astimezone(self.zone)
        monday = local.date() - timedelta(days=local.weekday())
        return datetime.combine(monday + timedelta(days=self.weekday), time(self.hour), self.zone)

    def describe(self) -> str:
        channel = self.channel_id or "(not set)"
        return f"channel {channel}, every {WEEKDAYS[self.weekday]} at {self.hour:02d}:00 {self.timezone}"


def effective_schedule(db: sessionmaker[Session], *, team_id: str, default_channel: str | None) -> DigestSchedule:
    with db() as session:
        row = settings_store.get_settings(session, team_id=team_id)
    return DigestSchedule(
        team_id=team_id,
        channel_id=(row.digest_channel if row else None) or default_channel,
        weekday=DEFAULT_WEEKDAY if row is None or row.digest_weekday is None else row.digest_weekday,
        hour=DEFAULT_HOUR if row is None or row.digest_hour is None else row.digest_hour,
        timezone=(row.timezone if row else None) or DEFAULT_TIMEZONE,
        channel_shared_ok=bool(row and row.digest_channel and row.digest_channel_shared_ok),
    )


def settings_saved_by(db: sessionmaker[Session], *, team_id: str) -> str | None:
    """The admin who last saved the settings on Home (told when the digest cannot be posted); None after the CLI."""
    with db() as session:
        row = settings_store.get_settings(session, team_id=team_id)
    return row.updated_by if row else None


def change_schedule(
    db: sessionmaker[Session],
    *,
    team_id: str,
    now: datetime,
    default_channel: str | None,
    channel_id: str | None = None,
    weekday: str | None = None,
    hour: int | None = None,
    timezone: str | None = None,
    retention_days: int | None = None,
    allow_shared: bool = False,
    changed_by: str | None = None,
) -> DigestSchedule:
    """Validate and store the given settings (the others are left as they are). `allow_shared`: the new channel may
    be shared with another organisation; `changed_by`: the admin saving them on Home (None from the CLI)."""
    changes: dict[str, object] = {"updated_by": changed_by}
    if retention_days is not None:
        if not RETENTION_DAYS_MIN <= retention_days <= RETENTION_DAYS_MAX:
            raise InvalidSetting(f"Retention must be between {RETENTION_DAYS_MIN} and {RETENTION_DAYS_MAX} days.")
        changes["retention_days"] = retention_days
    if channel_id is not None:
        changes["digest_channel"] = valid_channel_id(channel_id)
        changes["digest_channel_shared_ok"] = allow_shared
    if weekday is not None:
        if weekday.lower()[:3] not in WEEKDAYS:
            raise InvalidSetting(f"Weekday must be one of {', '.join(WEEKDAYS)}.")
        changes["digest_weekday"] = WEEKDAYS.index(weekday.lower()[:3])
    if hour is not None:
        if not 0 <= hour <= 23:
            raise InvalidSetting("Hour must be between 0 and 23.")
        changes["digest_hour"] = hour
    if timezone is not None:
        changes["timezone"] = valid_timezone(timezone)
    with db.begin() as session:
        settings_store.update_settings(session, team_id=team_id, now=now, **changes)
    return effective_schedule(db, team_id=team_id, default_channel=default_channel)


def effective_retention_days(db: sessionmaker[Session], *, team_id: str) -> int:
    with db() as session:
        row = settings_store.get_settings(session, team_id=team_id)
    return row.retention_days if row is not None and row.retention_days else DEFAULT_RETENTION_DAYS


def valid_channel_id(channel_id: str) -> str:
    if not _CHANNEL_ID.match(channel_id):
        raise InvalidSetting(f"{channel_id!r} is not a channel id (like C0123ABCD): pick the channel in Slack.")
    return channel_id


def valid_timezone(name: str) -> str:
    name = name.strip()
    try:
        if name in available_timezones() or name == "UTC":
            ZoneInfo(name)
            return name
    except (ZoneInfoNotFoundError, ValueError):
        pass
    raise InvalidSetting(f"{name!r} is not a timezone: use an IANA name like Europe/Paris or America/New_York.")


def list_configured_team_ids(db: sessionmaker[Session]) -> list[str]:
    with db() as session:
        return [row.team_id for row in settings_store.list_settings(session)]
