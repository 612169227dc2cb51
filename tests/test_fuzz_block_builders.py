"""Whatever users type (and whatever display names they choose), every message and view the app builds keeps
Slack's Block Kit limits and renders no mention, broadcast or link made from their text. Pure builders, fuzzed."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.blocks import ids
from bot.blocks.digest import FLAG_REPLY_TEXT_MAX, digest_posts
from bot.blocks.flag_modal import FlagDraft, flag_modal
from bot.blocks.flags import flag_not_saved_message, flag_recorded_message, invalid_report_message, usage_message
from bot.blocks.home import home_view
from bot.blocks.origin import ModalOrigin
from bot.domain.categories import Category
from bot.domain.digest import LISTED_FLAGS_MAX, CategoryCount, Digest, rolling_week
from bot.domain.flags import CONSTRAINT_MAX, FLAG_ID_MAX, SOURCE_MAX, SUMMARY_MAX, RecordedFlag
from bot.domain.holding import MIN_REPORTERS_MAX, MIN_REPORTERS_MIN, HeldFlags
from bot.domain.home import OWN_FLAGS_SHOWN, HomeSummary
from bot.domain.workspace_settings import DigestSchedule
from tests.markup import block_text_length, live_markup_in_rendered, message_limit_violations, view_limit_violations
from tests.slack_payloads import HOSTILE

NOW = datetime(2026, 11, 30, 9, tzinfo=UTC)
FUZZ = settings(max_examples=150, deadline=None)

typed = st.one_of(
    st.text(max_size=60),
    st.sampled_from(HOSTILE),
    st.lists(st.sampled_from([*HOSTILE, "\n", "&", "<", ">", "x", " "]), max_size=400).map("".join),
)
summaries = typed.map(lambda t: t[:SUMMARY_MAX]) | st.builds(
    lambda c, n: c * n, st.sampled_from(["&", "<", "\n", "x"]), st.integers(1, SUMMARY_MAX)
)
optional_text = st.none() | typed
categories = st.sampled_from(list(Category))
flag_ids = st.integers(1, FLAG_ID_MAX)
timestamps = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC))
channel_ids = st.from_regex(r"\A[CG][A-Z0-9]{2,30}\Z")
permalinks = (
    st.none()
    | st.sampled_from(
        [
            "https://example.slack.com/archives/C1/p1700000000000100",
            "https://example.slack.com/archives/C1/p1700000000000200?thread_ts=1700000000.000100&cid=C1",
            "https://evil.example/archives/C1/p1|click",
            "javascript:alert(1)",
        ]
    )
    | typed
)
# The only live markup the app itself puts in: links to Slack permalinks and the digest channel it was given.
_OURS = re.compile(r"<https://[A-Za-z0-9.-]+\.slack\.com/archives/[A-Z0-9]+/p\d+[^|>]*\|original message>|<#[CG][A-Z0-9]+>")


def user_markup(value: object) -> list[str]:
    """Live markup in what Slack renders, once the app's own links are taken out."""
    return [
        t for t in live_markup_in_rendered(value) if live_markup_in_rendered({"type": "mrkdwn", "text": _OURS.sub("", t)})
    ]


recorded_flags = st.builds(
    RecordedFlag,
    id=flag_ids,
    team_id=st.just("T1"),
    category=categories,
    summary=summaries,
    status=st.sampled_from(["open", "acknowledged", "discussed", "resolved", "not_an_issue"]),
    created_at=timestamps,
    reporter_named=st.booleans(),
    source_text=st.none() | typed.map(lambda t: t[:SOURCE_MAX]),
    source_user_id=st.none() | st.from_regex(r"\AU[A-Z0-9]{2,10}\Z"),
    date_demanded=st.none() | st.dates(),
    external_constraint=st.none() | typed.map(lambda t: t[:CONSTRAINT_MAX]),
    channel_id=st.none() | channel_ids,
    message_ts=st.none() | st.just("1700000000.000100"),
    permalink=permalinks,
    number=st.integers(1, 10**9),
    released_at=st.none() | timestamps,  # None: held
    held_until=st.integers(MIN_REPORTERS_MIN, MIN_REPORTERS_MAX),
).map(lambda f: replace(f, number=None) if f.held else replace(f, held_until=None))
held_flags = st.builds(
    HeldFlags, count=st.integers(0, 10**6), min_reporters=st.integers(MIN_REPORTERS_MIN, MIN_REPORTERS_MAX)
)


def assert_fit_and_inert(message: dict) -> None:
    assert message_limit_violations(message) == []
    assert user_markup(message) == []


@FUZZ
@given(flag=recorded_flags)
def test_a_receipt_keeps_slacks_limits_and_no_live_markup_from_the_flag(flag: RecordedFlag) -> None:
    assert_fit_and_inert(flag_recorded_message(flag))


@FUZZ
@given(
    text=st.none() | typed | st.text(min_size=3001, max_size=40_000),
    problem=st.sampled_from([None, "`nope` is not a category keyword."]),
)
def test_usage_and_refusals_give_any_text_back_within_limits_and_inert(text: str | None, problem: str | None) -> None:
    assert_fit_and_inert(usage_message(problem, text))
    assert_fit_and_inert(invalid_report_message(problem or "Add a few words.", text or "x"))
    assert_fit_and_inert(flag_not_saved_message(text, "0a1b2c3d"))


@FUZZ
@given(
    flag=recorded_flags,
    editing=st.booleans(),
    response_url=st.none() | st.text(max_size=4000).map(lambda t: "https://hooks.slack.com/" + t),
    from_home=st.booleans(),
)
def test_the_flag_modal_keeps_slacks_limits_whatever_it_is_prefilled_with(
    flag: RecordedFlag, editing: bool, response_url: str | None, from_home: bool
) -> None:
    origin = ModalOrigin(
        flag_id=flag.id if editing else None,
        channel_id=flag.channel_id,
        message_ts=flag.message_ts,
        team_domain="example",
        response_url=response_url,
        from_home=from_home,
    )
    view = flag_modal(FlagDraft.of(flag), origin)

    assert view_limit_violations(view) == []
    assert user_markup(view) == []


@FUZZ
@given(
    own=st.lists(recorded_flags, max_size=OWN_FLAGS_SHOWN),
    hidden=st.integers(0, 10**6),
    counts=st.lists(st.integers(0, 10**6), min_size=len(Category), max_size=len(Category)),
    held=held_flags,
    schedule=st.none()
    | st.builds(
        DigestSchedule,
        team_id=st.just("T1"),
        channel_id=st.none() | channel_ids,
        weekday=st.integers(0, 6),
        hour=st.integers(0, 23),
        timezone=st.sampled_from(["UTC", "Europe/Paris", "America/Argentina/ComodRivadavia"]),
    ),
)
def test_the_home_tab_keeps_slacks_limits_and_no_live_markup_from_flags(
    own: list[RecordedFlag], hidden: int, counts: list[int], held: HeldFlags, schedule: DigestSchedule | None
) -> None:
    summary = HomeSummary(
        own_flags=own,
        own_total=len(own) + hidden,
        week_counts=dict(zip(Category, counts, strict=True)),
        held=held,
    )
    view = home_view(summary, schedule)

    assert view_limit_violations(view) == []
    assert user_markup(view) == []
    # home_view cuts at Slack's 100 blocks itself, so the limits alone cannot fail: check the cut took no flag.
    withdraws = [e for b in view["blocks"] if b["type"] == "actions" for e in b["elements"] if e.get("value")]
    assert [int(e["value"]) for e in withdraws if e["action_id"] == ids.WITHDRAW_FLAG_ACTION] == [f.id for f in own]


digest_flags = st.builds(
    RecordedFlag,
    id=flag_ids,
    team_id=st.just("T1"),
    status=st.sampled_from(["open", "acknowledged", "discussed", "resolved", "not_an_issue"]),
    reporter_named=st.booleans(),
    channel_id=st.none(),
    message_ts=st.none(),
    category=categories,
    summary=summaries,
    source_text=optional_text,
    source_user_id=st.none() | st.sampled_from(["U0BOSS", "U0NOBODY"]),
    date_demanded=st.none() | st.dates(),
    external_constraint=optional_text,
    permalink=permalinks,
    reporter_user_id=st.none() | st.sampled_from(["U0ME", "U0NOBODY"]),
    created_at=timestamps,
    number=st.integers(1, 10**9),
    released_at=timestamps,  # the digest lists only released flags
)


@FUZZ
@given(
    flags=st.lists(digest_flags, max_size=LISTED_FLAGS_MAX),
    trend=st.lists(st.integers(0, 10**5), min_size=8, max_size=8),
    names=st.fixed_dictionaries({"U0BOSS": typed, "U0ME": typed}),
    held=held_flags,
)
def test_every_digest_message_keeps_slacks_limits_and_no_live_markup_from_flags_or_display_names(
    flags: list[RecordedFlag], trend: list[int], names: dict[str, str], held: HeldFlags
) -> None:
    counts = tuple(CategoryCount(c, trend[-1], trend[-2], tuple(trend)) for c in Category)
    digest = Digest(team_id="T1", period=rolling_week(NOW), counts=counts, flags=tuple(flags), held=held)

    posts = digest_posts(digest, names)

    for post in posts:
        assert_fit_and_inert(post.message)
        assert block_text_length(post.message["blocks"]) <= FLAG_REPLY_TEXT_MAX
        # mrkdwn_section cuts a section at 3,000 characters, so the limits alone cannot fail: check that each
        # flag's section still ends with its footer (who flagged it, when, the link), which a cut would lose.
        sections = [b for b in post.message["blocks"] if b.get("block_id", "").startswith(ids.FLAG_BLOCK_PREFIX)]
        for flag, section in zip(post.flags, sections, strict=True):
            assert section["text"]["text"].endswith((f", shown {flag.released_at:%d %b}", "|original message>"))
    assert [f.id for post in posts for f in post.flags] == [f.id for f in flags]
