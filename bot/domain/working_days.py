"""Working days, Monday to Friday, in a workspace's timezone: "answered within 5 working days".

A working day is a whole local calendar day from Monday to Friday, so a day is a day whatever daylight saving does,
and a weekend never counts: a flag that becomes visible on a Friday evening and is answered on Monday morning waited
only those evening and morning hours. Public holidays are not known to the app and count as working days.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

SATURDAY = 5


def add_working_days(start: datetime, days: int, zone: ZoneInfo) -> datetime:
    """The moment `days` working days after `start` (UTC). A start on a weekend counts from Monday 00:00."""
    local = start.astimezone(zone)
    if local.weekday() >= SATURDAY:
        local = datetime.combine(local.date() + timedelta(days=7 - local.weekday()), time(0), zone)
    day = _working_days_after(local.date(), days)
    return datetime.combine(day, local.time(), zone).astimezone(UTC)


@lru_cache(maxsize=4096)
def _working_days_after(day: date, days: int) -> date:
    for _ in range(days):
        day += timedelta(days=1)
        while day.weekday() >= SATURDAY:
            day += timedelta(days=1)
    return day


def latest_start_within(end: datetime, days: int, zone: ZoneInfo) -> datetime:
    """The latest moment whose `days` working days are over by `end` (UTC): what started at or before it and is not
    answered by `end` was not answered in time. An end on a weekend counts as the Friday's midnight."""
    local = end.astimezone(zone)
    if local.weekday() >= SATURDAY:
        local = datetime.combine(local.date() - timedelta(days=local.weekday() - SATURDAY), time(0), zone)
    day, at = local.date(), local.timetz()
    for _ in range(days):
        day -= timedelta(days=1)
        while day.weekday() >= SATURDAY:
            day -= timedelta(days=1)
    return datetime.combine(day, at.replace(tzinfo=None), zone).astimezone(UTC)


def is_within_working_days(start: datetime, answered: datetime, days: int, zone: ZoneInfo) -> bool:
    return answered <= add_working_days(start, days, zone)
