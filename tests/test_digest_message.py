"""The digest's messages are built by a pure function: Slack's limits hold at any volume (a summary, then the flags
in thread replies), user text stays inert."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.blocks import ids
from bot.blocks.digest import FLAG_REPLY_TEXT_MAX, digest_posts, sparkline
from bot.domain.digest import LISTED_FLAGS_MAX, Digest, rolling_week
from bot.domain.flags import RecordedFlag
from tests.clauses import clause, sides_with
from tests.markup import block_text_length, live_markup, message_limit_violations, strings

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
        clause=clause("feature"),
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
    return Digest(team_id="T1", period=rolling_week(NOW), sides=sides_with({"feature": total}), flags=listed)


def digest_message(digest: Digest, names: dict[str, str] | None = None) -> dict:
    """All of a digest's messages as one, for checks on what it shows wherever it shows it."""
    posts = digest_posts(digest, names)
    return {"text": posts[0].message["text"], "blocks": [b for post in posts for b in post.message["blocks"]]}


def realistic_flag(i: int, text: str) -> RecordedFlag:
    return a_flag(
        i,
        text,
        source_text=text[:200],
        source_user_id="U0BOSS",
        external_constraint=text[:200],
        date_demanded=date(2026, 12, 4),
        permalink="https://example.slack.com/archives/C1/p1700000000000100",
        status="not_an_issue",
        status_reason=text[:200],
    )


def permalinks_removed(message: dict) -> list[str]:
    return [
        s.replace("<https://example.slack.com/archives/C1/p1700000000000100|original message>", "") for s in strings(message)
    ]


@pytest.mark.parametrize("total", [0, 1, 40, 200, 5000])
@pytest.mark.parametrize("text", ["ship it by Friday", HOSTILE, "&<>" * 2000])
def test_every_message_stays_within_slacks_limits_with_its_margin_at_any_volume(total: int, text: str) -> None:
    digest = replace(a_digest(0), flags=tuple(realistic_flag(i, text) for i in range(min(total, LISTED_FLAGS_MAX))))

    posts = digest_posts(digest, {"U0BOSS": "Pat " * 40})

    for post in posts:
        assert message_limit_violations(post.message) == []
        assert block_text_length(post.message["blocks"]) <= FLAG_REPLY_TEXT_MAX
        assert len(post.message["text"]) <= 200
        # Sections are cut at 3,000 characters by mrkdwn_section itself: what a cut would lose is the footer.
        sections = [b for b in post.message["blocks"] if b.get("block_id", "").startswith(ids.FLAG_BLOCK_PREFIX)]
        assert [b["text"]["text"].endswith("|original message>") for b in sections] == [True] * len(post.flags)
    assert [f.id for post in posts for f in post.flags] == [f.id for f in digest.flags]  # each listed once, in order


def test_a_flag_redrawn_with_the_longest_status_and_reason_keeps_its_reply_within_the_margin() -> None:
    flags = tuple(a_flag(i, "x" * 400, source_text="s" * 200, external_constraint="c" * 200) for i in range(200))
    [_, first, *_] = digest_posts(replace(a_digest(0), flags=flags))

    redrawn = [replace(f, status="not_an_issue", status_reason="&" * 300) for f in first.flags]
    again = digest_posts(replace(a_digest(0), flags=tuple(redrawn)))[1]

    assert len(again.flags) < len(redrawn)  # these no longer fit one reply, yet a redraw keeps the reply they are in:
    from bot.blocks.digest import flags_reply_message

    message = flags_reply_message("a week", 1, 9, redrawn, {})
    assert block_text_length(message["blocks"]) <= FLAG_REPLY_TEXT_MAX
    assert message_limit_violations(message) == []


def test_the_summary_is_one_message_and_the_flags_are_in_replies() -> None:
    posts = digest_posts(a_digest(40))

    summary, *replies = posts
    assert summary.flags == () and "flag:" not in str(summary.message)
    assert "The 40 flags of this period are in the thread." in str(summary.message["blocks"])
    assert all(post.flags for post in replies)
    assert f"part 1 of {len(replies)}" in str(replies[0].message["blocks"])


@pytest.mark.parametrize("total", [201, 5000])
def test_past_the_listed_flags_it_says_how_many_more_there_are(total: int) -> None:
    message = digest_posts(a_digest(total))[0].message

    assert f"{total - LISTED_FLAGS_MAX:,} more are in the CSV" in str(message["blocks"])


def test_an_empty_week_says_so() -> None:
    message = digest_message(a_digest(0))

    assert "*No flags* in this period" in str(message["blocks"])
    assert "thread" not in str(message["blocks"])
    assert len(digest_posts(a_digest(0))) == 1


def test_hostile_text_never_becomes_a_live_mention_or_link() -> None:
    permalink = "https://example.slack.com/archives/C1/p1700000000000100"
    message = digest_message(a_digest(3, HOSTILE, source_text=HOSTILE, external_constraint=HOSTILE, permalink=permalink))

    assert live_markup(permalinks_removed(message)) == []
    assert "&lt;!channel&gt;" in str(message["blocks"])


def test_a_link_that_is_not_a_slack_permalink_is_left_out() -> None:
    message = digest_message(a_digest(1, permalink="https://evil.example/archives/C1/p1|x"))

    assert "evil.example" not in str(message)


def test_a_reporter_who_chose_to_be_named_is_shown_by_display_name() -> None:
    digest = a_digest(1, reporter_user_id="U0ME")

    text = str(digest_message(digest, {"U0ME": "Sam"})["blocks"])

    assert "Flagged by Sam" in text
    assert "U0ME" not in text


def test_a_reporter_who_did_not_choose_to_be_named_is_shown_as_anonymous() -> None:
    digest = a_digest(1)  # the domain leaves reporter_user_id empty unless the reporter chose to be named

    text = str(digest_message(digest)["blocks"])

    assert "Flagged by anonymous" in text


def test_who_asked_is_shown_by_display_name_never_by_a_user_id_that_would_ping() -> None:
    digest = a_digest(1, source_user_id="U0BOSS")

    text = str(digest_message(digest, {"U0BOSS": "Pat"})["blocks"])

    assert "From: Pat" in text
    assert "U0BOSS" not in text


def test_date_demanded_and_constraint_are_shown() -> None:
    digest = a_digest(1, date_demanded=date(2026, 12, 4), external_constraint="Regulator deadline")

    text = str(digest_message(digest)["blocks"])

    assert "Date demanded: Fri 04 Dec 2026" in text
    assert "Real constraint claimed: Regulator deadline" in text


def test_sparkline_scales_to_the_shared_top() -> None:
    assert sparkline((0, 1, 2, 4), top=4) == "▁▃▅█"
    assert sparkline((0, 0), top=0) == "▁▁"


def test_the_message_shows_what_happened_next_when_the_digest_has_outcomes() -> None:
    from bot.domain.outcomes import OutcomeSummary

    digest = replace(
        a_digest(3),
        outcomes=OutcomeSummary(resolved_in_period=2, open_now=5, open_over_four_weeks=1, median_days_to_resolution=3.5),
    )

    text = str(digest_message(digest)["blocks"])

    assert "2 resolved or closed in this period" in text
    assert "5 still open" in text and "1 open for more than 4 weeks" in text
    assert "median time to resolution over 8 weeks: 3.5 days" in text


def test_the_summary_shows_each_sides_total_change_and_trend_then_the_count_of_each_of_its_clauses() -> None:
    digest = replace(a_digest(0), sides=sides_with({"deadline": 2, "explain": 1}, previous={"deadline": 1}))

    summary = digest_posts(digest)[0].message
    lines = [line for b in summary["blocks"] if b["type"] == "section" for line in b["text"]["text"].split("\n")]

    product = lines.index("`▁▁▁▁▁▁▅█`  *Product's side* · tech's rights, product's responsibilities: *2* (▲1)")
    assert lines[product + 1 : product + 3] == [
        "• No artificial deadlines: 2 (▲1)",
        "• Problems, not features: 0 (no change)",
    ]
    tech = lines.index("`▁▁▁▁▁▁▁▅`  *Tech's side* · product's rights, tech's responsibilities: *1* (▲1)")
    assert lines[tech + 6] == "• Give the estate's reason for a delay or a no: 1 (▲1)"
    assert "`▁▁▁▁▁▁▁▁`  *Other* (neither side): 0 (no change)" in lines
    assert summary["text"].endswith("3 flags (product's side 2, tech's side 1)")
