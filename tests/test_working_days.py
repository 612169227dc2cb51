"""Working days are Monday to Friday in the workspace's timezone: weekends never count, daylight saving does not
shorten a day."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.domain.working_days import add_working_days, is_within_working_days, latest_start_within

PARIS = ZoneInfo("Europe/Paris")


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS).astimezone(UTC)


def test_five_working_days_from_a_monday_morning_end_the_next_monday_morning() -> None:
    assert add_working_days(paris(2026, 11, 2, 9), 5, PARIS) == paris(2026, 11, 9, 9)


def test_a_flag_raised_on_friday_evening_and_answered_on_monday_morning_waited_less_than_a_working_day() -> None:
    friday_evening, monday_morning = paris(2026, 11, 6, 19), paris(2026, 11, 9, 9)

    assert add_working_days(friday_evening, 1, PARIS) == paris(2026, 11, 9, 19)
    assert is_within_working_days(friday_evening, monday_morning, 1, PARIS)


def test_a_weekend_start_counts_from_monday_midnight() -> None:
    assert add_working_days(paris(2026, 11, 7, 15), 5, PARIS) == paris(2026, 11, 16, 0)


def test_the_timezone_decides_which_day_it_is() -> None:
    # Friday 23:30 in New York is already Saturday in Paris: a weekend start there.
    new_york = ZoneInfo("America/New_York")
    start = datetime(2026, 11, 6, 23, 30, tzinfo=new_york).astimezone(UTC)

    assert add_working_days(start, 1, new_york) == datetime(2026, 11, 9, 23, 30, tzinfo=new_york).astimezone(UTC)
    assert add_working_days(start, 1, PARIS) == paris(2026, 11, 10, 0)


def test_a_day_is_a_local_day_across_a_change_of_clocks() -> None:
    # Paris leaves summer time on Sunday 25 October 2026: Friday 9:00 to Monday 9:00 is a working day, 73 hours.
    assert add_working_days(paris(2026, 10, 23, 9), 1, PARIS) == paris(2026, 10, 26, 9)


def test_the_latest_start_is_the_inverse_of_adding_working_days() -> None:
    for end in (paris(2026, 11, 9, 9), paris(2026, 11, 13, 17, 45), paris(2026, 11, 11, 0)):
        start = latest_start_within(end, 5, PARIS)
        assert add_working_days(start, 5, PARIS) == end


def test_an_end_on_a_weekend_counts_as_friday_midnight() -> None:
    assert latest_start_within(paris(2026, 11, 8, 15), 5, PARIS) == paris(2026, 11, 2, 0)
