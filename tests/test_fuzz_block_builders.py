"""Whatever users type (and whatever display names they choose), every message and view the app builds keeps
Slack's Block Kit limits and renders no mention, broadcast or link made from their text. Pure builders, fuzzed."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.blocks import ids
from bot.blocks.agreement import AGREEMENT_TEXT_MAX, agreement_message
from bot.blocks.clause_form import clause_modal
from bot.blocks.digest import FLAG_REPLY_TEXT_MAX, digest_posts
from bot.blocks.flag_modal import FlagDraft, flag_modal
from bot.blocks.flags import flag_not_saved_message, flag_recorded_message, invalid_report_message, usage_message
from bot.blocks.home import home_view
from bot.blocks.origin import ModalOrigin
from bot.domain.agreement import (
    ACTIVE_CLAUSES_MAX,
    DEFAULT_AGREEMENT,
    DESCRIPTION_MAX,
    SIDES,
    TITLE_MAX,
    Agreement,
    Clause,
)
from bot.domain.digest import LISTED_FLAGS_MAX, TREND_WEEKS, Digest, rolling_week, side_counts
from bot.domain.flags import CONSTRAINT_MAX, FLAG_ID_MAX, SOURCE_MAX, SUMMARY_MAX, RecordedFlag
from bot.domain.holding import MIN_REPORTERS_MAX, MIN_REPORTERS_MIN, HeldFlags
from bot.domain.home import OWN_FLAGS_SHOWN, HomeSummary, SideWeek
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
STORED_DEFAULT = Agreement("T1", tuple(replace(c, id=i) for i, c in enumerate(DEFAULT_AGREEMENT, start=1)))


@st.composite
def agreements(draw: st.DrawFn) -> Agreement:
    """Any agreement a workspace could word: up to 40 active clauses (and retired ones besides) of hostile text,
    each title and description within its limits, then `other`."""
    one_line = typed.map(lambda t: " ".join(t.split()))
    drawn = draw(st.lists(st.tuples(st.sampled_from(SIDES), one_line, one_line, st.booleans()), max_size=60))
    clauses, active = [], 0
    for i, (side, title, description, retired) in enumerate(drawn, start=1):
        keep = not retired and active < ACTIVE_CLAUSES_MAX
        active += keep
        clauses.append(Clause(f"k{i:02d}", side, title[:TITLE_MAX] or "t", description[:DESCRIPTION_MAX], keep, id=i))
    return Agreement("T1", (*clauses, replace(DEFAULT_AGREEMENT[-1], id=len(clauses) + 1)))


full_agreements = st.just(
    Agreement(
        "T1",
        (
            *(
                Clause(f"k{i:02d}", SIDES[i % 2], "&" * TITLE_MAX, "<" * DESCRIPTION_MAX, id=i)
                for i in range(1, ACTIVE_CLAUSES_MAX + 1)
            ),
            replace(DEFAULT_AGREEMENT[-1], id=ACTIVE_CLAUSES_MAX + 1),
        ),
    )
)
any_agreement = agreements() | full_agreements
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
    clause=st.sampled_from(STORED_DEFAULT.clauses),
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
    assert_fit_and_inert(usage_message(STORED_DEFAULT, problem, text))
    assert_fit_and_inert(invalid_report_message(problem or "Add a few words.", text or "x"))
    assert_fit_and_inert(flag_not_saved_message(text, "0a1b2c3d"))


@FUZZ
@given(agreement=any_agreement)
def test_the_help_and_the_agreement_keep_slacks_limits_and_show_every_active_clause_of_any_agreement(
    agreement: Agreement,
) -> None:
    for message in (usage_message(agreement), agreement_message(agreement)):
        assert_fit_and_inert(message)
        # Sections are cut at 3,000 characters by mrkdwn_section: check that no clause was lost to a cut.
        shown = str(message["blocks"])
        assert all(f"`{c.keyword}:`" in shown for c in agreement.active)
    assert block_text_length(agreement_message(agreement)["blocks"]) <= AGREEMENT_TEXT_MAX + 1000


@FUZZ
@given(agreement=any_agreement, data=st.data())
def test_the_clause_form_keeps_slacks_limits_whatever_clause_it_is_prefilled_with(
    agreement: Agreement, data: st.DataObject
) -> None:
    editable = [c for c in agreement.clauses if not c.is_other]
    clause = data.draw(st.none() | st.sampled_from(editable)) if editable else None
    view = clause_modal(clause, ModalOrigin(clause_keyword=clause.keyword if clause else None, from_home=True))

    assert view_limit_violations(view) == []
    assert user_markup(view) == []


@FUZZ
@given(
    flag=recorded_flags,
    agreement=any_agreement,
    data=st.data(),
    editing=st.booleans(),
    response_url=st.none() | st.text(max_size=4000).map(lambda t: "https://hooks.slack.com/" + t),
    from_home=st.booleans(),
)
def test_the_flag_modal_keeps_slacks_limits_whatever_it_is_prefilled_with(
    flag: RecordedFlag,
    agreement: Agreement,
    data: st.DataObject,
    editing: bool,
    response_url: str | None,
    from_home: bool,
) -> None:
    flag = replace(flag, clause=data.draw(st.sampled_from(agreement.clauses)))
    origin = ModalOrigin(
        flag_id=flag.id if editing else None,
        channel_id=flag.channel_id,
        message_ts=flag.message_ts,
        team_domain="example",
        response_url=response_url,
        from_home=from_home,
    )
    view = flag_modal(FlagDraft.of(flag), origin, agreement)

    assert view_limit_violations(view) == []
    assert user_markup(view) == []
    [select] = [b["element"] for b in view["blocks"] if b.get("block_id") == ids.CLAUSE_BLOCK]
    offered = [o["value"] for group in select["option_groups"] for o in group["options"]]
    assert offered == [c.keyword for c in agreement.active] or (editing and not flag.clause.active)


@FUZZ
@given(
    own=st.lists(recorded_flags, max_size=OWN_FLAGS_SHOWN),
    hidden=st.integers(0, 10**6),
    agreement=any_agreement,
    counts=st.lists(st.integers(0, 10**6), min_size=61, max_size=61),
    edits_agreement=st.booleans(),
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
    own: list[RecordedFlag],
    hidden: int,
    agreement: Agreement,
    counts: list[int],
    edits_agreement: bool,
    held: HeldFlags,
    schedule: DigestSchedule | None,
) -> None:
    week = tuple(
        SideWeek(side, tuple((c, counts[i]) for i, c in enumerate(agreement.on_side(side)))) for side in (*SIDES, None)
    )
    summary = HomeSummary(own_flags=own, own_total=len(own) + hidden, week=week, agreement=agreement, held=held)
    open_flags = own[:15] if edits_agreement else None
    view = home_view(summary, schedule, open_flags, edits_agreement=edits_agreement)

    assert view_limit_violations(view) == []
    assert user_markup(view) == []
    # home_view cuts at Slack's 100 blocks itself, so the limits alone cannot fail: check the cut took no flag.
    withdraws = [e for b in view["blocks"] if b["type"] == "actions" for e in b["elements"] if e.get("value")]
    assert [int(e["value"]) for e in withdraws if e["action_id"] == ids.WITHDRAW_FLAG_ACTION] == [f.id for f in own]
    assert all(f"`{c.keyword}:`" in str(view["blocks"]) for c in agreement.active)  # nor any clause


digest_flags = st.builds(
    RecordedFlag,
    id=flag_ids,
    team_id=st.just("T1"),
    status=st.sampled_from(["open", "acknowledged", "discussed", "resolved", "not_an_issue"]),
    reporter_named=st.booleans(),
    channel_id=st.none(),
    message_ts=st.none(),
    clause=st.sampled_from(STORED_DEFAULT.clauses),
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
    trend=st.lists(st.integers(0, 10**5), min_size=TREND_WEEKS, max_size=TREND_WEEKS),
    names=st.fixed_dictionaries({"U0BOSS": typed, "U0ME": typed}),
    held=held_flags,
    agreement=any_agreement,
    data=st.data(),
)
def test_every_digest_message_keeps_slacks_limits_and_no_live_markup_from_flags_or_display_names(
    flags: list[RecordedFlag],
    trend: list[int],
    names: dict[str, str],
    held: HeldFlags,
    agreement: Agreement,
    data: st.DataObject,
) -> None:
    flags = [replace(f, clause=data.draw(st.sampled_from(agreement.clauses))) for f in flags]
    counts = {(bucket, c.id): trend[bucket] for c in agreement.clauses for bucket in range(TREND_WEEKS)}
    sides = side_counts(agreement, counts)
    digest = Digest(team_id="T1", period=rolling_week(NOW), sides=sides, flags=tuple(flags), held=held)

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
    # Nor a clause's count in the summary: each shown clause has its line.
    lines = [line for b in posts[0].message["blocks"] if b["type"] == "section" for line in b["text"]["text"].split("\n")]
    assert sum(line.startswith("• ") for line in lines) == sum(len(s.clauses) for s in digest.sides if s.side is not None)
