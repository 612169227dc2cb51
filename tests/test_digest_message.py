"""The digest message is built by a pure function: Slack's limits hold at any volume, user text stays inert."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.blocks.digest import digest_message, sparkline
from bot.domain.categories import Category
from bot.domain.digest import LISTED_FLAGS_MAX, CategoryCount, Digest, rolling_week
from bot.domain.flags import RecordedFlag
from tests.markup import block_limit_violations, live_markup, strings

NOW = datetime(2026, 11, 30, 9, tzinfo=UTC)
HOSTILE = "<!channel> <!here> @everyone <@U123> <#C1> <https://evil.example|click> *bold* & `code` > quote " + "x" * 5000


def a_flag(i: int, summary: str = "ship it by Friday", **overrides: object) -> RecordedFlag:
    values: dict = dict(
        id=i,
        team_id="T1",
        status="open",
        reporter_named=bool(overrides.get("reporter_user_id")),
        channel_id=None,
        message_ts=None,
        category=Category.FEATURE_NOT_PROBLEM,
        summary=summary,
        source_text=None,
        source_user_id=None,
        date_demanded=None,
        external_constraint=None,
        permalink=None,
        reporter_user_id=None,
        created_at=NOW - timedelta(hours=i),
    )
    return RecordedFlag(**{**values, **overrides})


def a_digest(total: int, summary: str = "ship it by Friday", **flag_fields: object) -> Digest:
    listed = tuple(a_flag(i, summary, **flag_fields) for i in range(min(total, LISTED_FLAGS_MAX)))
    counts = tuple(
        CategoryCount(
            c,
            total if c is Category.FEATURE_NOT_PROBLEM else 0,
            0,
            (0,) * 7 + (total if c is Category.FEATURE_NOT_PROBLEM else 0,),
        )
        for c in Category
    )
    return Digest(team_id="T1", period=rolling_week(NOW), counts=counts, flags=listed)


def permalinks_removed(message: dict) -> list[str]:
    return [
        s.replace("<https://example.slack.com/archives/C1/p1700000000000100|original message>", "") for s in strings(message)
    ]


@pytest.mark.parametrize("total", [0, 1, 49, 50, 5000])
def test_the_message_stays_within_slacks_limits_at_any_volume(total: int) -> None:
    message = digest_message(a_digest(total, HOSTILE))

    assert block_limit_violations(message["blocks"], max_blocks=50) == []
    assert len(message["text"]) <= 4000


@pytest.mark.parametrize("total", [49, 50, 5000])
def test_past_the_listed_flags_it_says_how_many_more_there_are(total: int) -> None:
    message = digest_message(a_digest(total))

    assert f"…and {total - LISTED_FLAGS_MAX:,} more flags in this period." in str(message["blocks"])


def test_an_empty_week_says_so() -> None:
    message = digest_message(a_digest(0))

    assert "*No flags* in this period" in str(message["blocks"])
    assert "more flag" not in str(message["blocks"])


def test_hostile_text_never_becomes_a_live_mention_or_link() -> None:
    permalink = "https://example.slack.com/archives/C1/p1700000000000100"
    message = digest_message(a_digest(3, HOSTILE, source_text=HOSTILE, external_constraint=HOSTILE, permalink=permalink))

    assert live_markup(permalinks_removed(message)) == []
    assert "&lt;!channel&gt;" in str(message["blocks"])


def test_a_link_that_is_not_a_slack_permalink_is_left_out() -> None:
    message = digest_message(a_digest(1, permalink="https://evil.example/archives/C1/p1|x"))

    assert "evil.example" not in str(message)


def test_reporters_are_anonymous_unless_named_and_people_are_shown_by_name_without_a_ping() -> None:
    digest = a_digest(1, source_user_id="U0BOSS", reporter_user_id="U0ME")
    anonymous = a_digest(1, source_user_id="U0BOSS")

    named_text = str(digest_message(digest, {"U0BOSS": "Pat", "U0ME": "Sam"})["blocks"])
    anonymous_text = str(digest_message(anonymous, {"U0BOSS": "Pat"})["blocks"])

    assert "Flagged by Sam" in named_text
    assert "Flagged by anonymous" in anonymous_text
    assert "Pat" in named_text
    assert "U0BOSS" not in named_text and "U0ME" not in named_text


def test_date_demanded_and_constraint_are_shown() -> None:
    digest = a_digest(1, date_demanded=date(2026, 12, 4), external_constraint="Regulator deadline")

    text = str(digest_message(digest)["blocks"])

    assert "Date demanded: Fri 04 Dec 2026" in text
    assert "Real constraint claimed: Regulator deadline" in text


def test_sparkline_scales_to_the_shared_top() -> None:
    assert sparkline((0, 1, 2, 4), top=4) == "▁▃▅█"
    assert sparkline((0, 0), top=0) == "▁▁"


def test_the_message_shows_what_happened_next_when_the_digest_has_outcomes() -> None:
    from dataclasses import replace

    from bot.domain.outcomes import OutcomeSummary

    digest = replace(
        a_digest(3),
        outcomes=OutcomeSummary(resolved_in_period=2, open_now=5, open_over_four_weeks=1, median_days_to_resolution=3.5),
    )

    text = str(digest_message(digest)["blocks"])

    assert "2 resolved or closed in this period" in text
    assert "5 still open" in text and "1 open for more than 4 weeks" in text
    assert "median time to resolution over 8 weeks: 3.5 days" in text
