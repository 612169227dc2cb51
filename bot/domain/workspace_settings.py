"""Each workspace's choices, with the deployment's defaults behind them: the digest's channel, weekday, hour and
timezone, the leads, how long flags are kept, and how many different people must flag before leads see anonymous
flags (`min_reporters`, bot/domain/holding.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlalchemy.orm import Session, sessionmaker

from bot.db import settings as settings_store
from bot.domain import holding
from bot.domain.holding import MIN_REPORTERS_MAX, MIN_REPORTERS_MIN

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_WEEKDAY = 0  # Monday
DEFAULT_HOUR = 9
DEFAULT_TIMEZONE = "UTC"
DEFAULT_RETENTION_DAYS = 365
RETENTION_DAYS_MIN, RETENTION_DAYS_MAX = 7, 3650
_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,30}$")


LEADS_MAX = 100  # a leads list, not the workspace (admins and owners are leads without being listed)
_USER_ID = re.compile(r"\A[UW][A-Z0-9]{1,31}\Z")  # U…, or W… for an Enterprise Grid org's users
_HOURS = tuple(str(hour) for hour in range(24))


class InvalidSetting(Exception):
    """A setting value that cannot be used; the message says what would be accepted, `field` which setting it is."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def is_user_id(value: object) -> bool:
    """A Slack user's id: what lead lists hold, and the only actor a request may name (bot/slack/app.py)."""
    return isinstance(value, str) and bool(_USER_ID.match(value))


def check_settings(
    *,
    channel_id: str | None = None,
    weekday: str | None = None,
    hour: int | str | None = None,
    timezone: str | None = None,
    retention_days: int | str | None = None,
    lead_ids: list | None = None,
    min_reporters: int | str | None = None,
) -> dict[str, str]:
    """{setting: what would be accepted} for each given setting that cannot be used; empty when all can. The one
    check, whoever gives the settings: the Home form (beside each field, before it closes) and the CLI alike."""
    problems: dict[str, str] = {}
    if channel_id is not None and not _CHANNEL_ID.match(channel_id):
        problems["channel_id"] = f"{channel_id!r} is not a channel id (like C0123ABCD): pick the channel in Slack."
    if weekday is not None and weekday.lower()[:3] not in WEEKDAYS:
        problems["weekday"] = f"Pick a day: one of {', '.join(WEEKDAYS)}."
    if hour is not None and str(hour) not in _HOURS:  # "²" passes isdigit(), which int() would then refuse
        problems["hour"] = "Pick an hour from 0 to 23."
    if timezone is not None and not _is_timezone(timezone.strip()):
        problems["timezone"] = (
            f"{timezone.strip()!r} is not a timezone: use an IANA name like Europe/Paris or America/New_York."
        )
    if retention_days is not None and _days(retention_days) is None:
        problems["retention_days"] = f"A whole number of days from {RETENTION_DAYS_MIN} to {RETENTION_DAYS_MAX}."
    if min_reporters is not None and _min_reporters(min_reporters) is None:
        problems["min_reporters"] = (
            f"A whole number of different people from {MIN_REPORTERS_MIN} (off: every flag shown at once) "
            f"to {MIN_REPORTERS_MAX}."
        )
    if lead_ids is not None:
        if not_ids := [u for u in lead_ids if not is_user_id(u)]:
            problems["lead_ids"] = f"{not_ids[0]!r} is not a user id (like U0123ABCD): pick the people in Slack."
        elif len(lead_ids) > LEADS_MAX:
            problems["lead_ids"] = f"At most {LEADS_MAX} leads; admins and owners need not be listed."
    return problems


def _days(value: int | str) -> int | None:
    text = str(value).strip()
    days = int(text) if text.isascii() and text.isdigit() else None
    return days if days is not None and RETENTION_DAYS_MIN <= days <= RETENTION_DAYS_MAX else None


def _min_reporters(value: int | str) -> int | None:
    text = str(value).strip()
    people = int(text) if text.isascii() and text.isdigit() else None
    return people if people is not None and MIN_REPORTERS_MIN <= people <= MIN_REPORTERS_MAX else None


def _is_timezone(name: str) -> bool:
    try:
        return (name in available_timezones() or name == "UTC") and ZoneInfo(name) is not None
    except (ZoneInfoNotFoundError, ValueError):
        return False


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


def change_settings(
    db: sessionmaker[Session],
    *,
    team_id: str,
    now: datetime,
    default_channel: str | None = None,
    channel_id: str | None = None,
    weekday: str | None = None,
    hour: int | str | None = None,
    timezone: str | None = None,
    retention_days: int | str | None = None,
    min_reporters: int | str | None = None,
    lead_ids: list[str] | None = None,
    allow_shared: bool = False,
    changed_by: str | None = None,
) -> DigestSchedule:
    """Check (check_settings) and store the given settings in one transaction; the others are left as they are.
    `lead_ids` replaces the leads list; `allow_shared`: the new channel may be shared with another organisation;
    `changed_by`: the admin saving them on Home (None: CLI). A lower `min_reporters` releases the held flags that
    now reach it; released flags stay released either way."""
    given = dict(
        channel_id=channel_id,
        weekday=weekday,
        hour=hour,
        timezone=timezone,
        retention_days=retention_days,
        min_reporters=min_reporters,
        lead_ids=lead_ids,
    )
    if problems := check_settings(**given):
        name, problem = next(iter(problems.items()))
        raise InvalidSetting(problem, name)
    changes: dict[str, object] = {"updated_by": changed_by}
    if retention_days is not None:
        changes["retention_days"] = _days(retention_days)
    if min_reporters is not None:
        changes["min_reporters"] = _min_reporters(min_reporters)
    if channel_id is not None:
        changes["digest_channel"] = channel_id
        changes["digest_channel_shared_ok"] = allow_shared
    if weekday is not None:
        changes["digest_weekday"] = WEEKDAYS.index(weekday.lower()[:3])
    if hour is not None:
        changes["digest_hour"] = int(hour)
    if timezone is not None:
        changes["timezone"] = timezone.strip()
    with db.begin() as session:
        settings_store.update_settings(session, team_id=team_id, now=now, **changes)
        if lead_ids is not None:
            settings_store.replace_leads(session, team_id=team_id, user_ids=lead_ids)
    if min_reporters is not None:
        holding.release_if_enough(db, team_id=team_id, now=now)
    return effective_schedule(db, team_id=team_id, default_channel=default_channel)


def effective_retention_days(db: sessionmaker[Session], *, team_id: str) -> int:
    with db() as session:
        row = settings_store.get_settings(session, team_id=team_id)
    return row.retention_days if row is not None and row.retention_days else DEFAULT_RETENTION_DAYS


def list_leads(db: sessionmaker[Session], *, team_id: str) -> list[str]:
    with db() as session:
        return settings_store.list_lead_ids(session, team_id=team_id)


def is_listed_lead(db: sessionmaker[Session], *, team_id: str, user_id: str) -> bool:
    """On the leads list; admins and owners may act as leads without being listed (`may_change_outcomes`)."""
    with db() as session:
        return settings_store.is_lead(session, team_id=team_id, user_id=user_id)


def list_configured_team_ids(db: sessionmaker[Session]) -> list[str]:
    with db() as session:
        return [row.team_id for row in settings_store.list_settings(session)]
