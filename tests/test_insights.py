"""What the leads learn, computed on known data on SQLite and PostgreSQL: response times (calendar days, and the share
answered within 5 working days in the workspace's timezone), time to resolution, claimed constraints and their
review, week by week over the last 8 weeks, including weeks with no flags."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.blocks.digest import digest_summary_message
from bot.blocks.digest_text import digest_plain_text
from bot.db import flags as flag_store
from bot.domain.agreement import edit_clause
from bot.domain.constraint_reviews import Verdict, review_constraint
from bot.domain.digest import build_digest, rolling_week
from bot.domain.insights import InvalidRange, learn_range, learn_recent, report_weeks
from bot.domain.outcomes import Status, change_status
from bot.domain.workspace_settings import change_settings
from tests.clauses import clause_id

PARIS = ZoneInfo("Europe/Paris")
END = datetime(2026, 11, 30, 9, tzinfo=PARIS).astimezone(UTC)  # a Monday morning digest


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS).astimezone(UTC)


def flag(
    db: sessionmaker[Session],
    keyword: str,
    created: datetime,
    *,
    team_id: str = "T1",
    due: date | None = None,
    claim: str | None = None,
) -> int:
    clause = clause_id(db, keyword, team_id)
    with db.begin() as session:
        return flag_store.add_flag(
            session,
            team_id=team_id,
            clause_id=clause,
            summary="a flag",
            reporter_hash="h" * 64,
            created_at=created,
            released_at=created,  # visible to leads from the start, as a named flag or a released batch would be
            date_demanded=due,
            external_constraint=claim,
        ).number


def answer(db: sessionmaker[Session], number: int, status: Status, at: datetime) -> None:
    change_status(
        db, team_id="T1", flag_number=number, to_status=status, changed_by="U0LEAD", actor_is_admin=True, reporter_key=b"k",
        now=at,
    )  # fmt: skip


def review(db: sessionmaker[Session], number: int, verdict: Verdict) -> None:
    review_constraint(
        db, team_id="T1", flag_number=number, verdict=verdict, reviewed_by="U0LEAD", actor_is_admin=True, now=END
    )


@pytest.fixture
def known(db: sessionmaker[Session]) -> sessionmaker[Session]:
    """Eight weeks of a workspace in Paris. Weeks start on Mondays at about 9:00 (5 Oct ... 23 Nov)."""
    change_settings(db, team_id="T1", now=END, default_channel=None, timezone="Europe/Paris")
    due = date(2026, 12, 15)
    # Friday evening, answered Monday morning: 2 days and 14 hours, but only 14 working hours.
    a = flag(db, "deadline", paris(2026, 11, 20, 19), due=due, claim="the regulator's date")
    answer(db, a, Status.ACKNOWLEDGED, paris(2026, 11, 23, 9))
    # Monday 9:00, answered the next Monday at 10:00: one hour past its 5 working days.
    b = flag(db, "explain", paris(2026, 11, 9, 9), claim="a contract")
    answer(db, b, Status.DISCUSSED, paris(2026, 11, 16, 10))
    # Tuesday 10:00, answered the next Monday 9:00: nearly 6 calendar days, under 4 working days; resolved 8 days in.
    c = flag(db, "deadline", paris(2026, 11, 10, 10), due=due)
    answer(db, c, Status.ACKNOWLEDGED, paris(2026, 11, 16, 9))
    answer(db, c, Status.RESOLVED, paris(2026, 11, 18, 10))
    # Never answered, long due.
    d = flag(db, "deadline", paris(2026, 11, 2, 12), due=due, claim="the trade show")
    # Never answered, but not due yet (its 5 working days end on Friday 4 December).
    flag(db, "health", paris(2026, 11, 27, 12))
    # Answered a day later, before it was due.
    h = flag(db, "health", paris(2026, 11, 25, 10))
    answer(db, h, Status.ACKNOWLEDGED, paris(2026, 11, 26, 10))
    # Alone in its week, the week after it has no flags at all.
    g = flag(db, "seat", paris(2026, 10, 19, 12), due=due, claim="the launch event")
    review(db, a, Verdict.CONFIRMED)
    review(db, g, Verdict.CONFIRMED)
    review(db, d, Verdict.NOT_CONFIRMED)
    # Another workspace's flags and answers count for nothing here.
    other = flag(db, "deadline", paris(2026, 11, 20, 19), team_id="T2", due=due, claim="x")
    change_status(
        db, team_id="T2", flag_number=other, to_status=Status.RESOLVED, changed_by="U9", actor_is_admin=True,
        reporter_key=b"k", now=paris(2026, 11, 21, 9),
    )  # fmt: skip
    return db


def test_the_median_response_time_counts_calendar_days_from_visible_to_the_first_answer(
    known: sessionmaker[Session],
) -> None:
    learned = learn_recent(known, team_id="T1", end=END)

    assert learned.total.flags == 7
    assert learned.total.answered == 4
    # 1 d, 2 d 14 h (Friday evening to Monday morning), 5 d 23 h and 7 d 1 h: between the middle two.
    assert learned.total.median_days_to_response == pytest.approx((2 + 14 / 24 + 5 + 23 / 24) / 2)


def test_the_share_answered_within_5_working_days_skips_weekends_and_waits_for_flags_not_yet_due(
    known: sessionmaker[Session],
) -> None:
    learned = learn_recent(known, team_id="T1", end=END)

    # Due: the four answered and the two long unanswered; the flag of 27 November is not due until 4 December.
    assert learned.total.due == 6
    # Within: the Friday-evening flag, the Tuesday flag answered on Monday, the one answered next day.
    assert learned.total.answered_within == 3
    assert learned.total.share_answered_within == pytest.approx(0.5)


def test_the_figures_are_given_per_side_of_the_agreement(known: sessionmaker[Session]) -> None:
    by_group = {g.group.key: g.figures for g in learn_recent(known, team_id="T1", end=END).groups}

    product = by_group["product"]  # deadline (3) and seat (1)
    assert (product.flags, product.answered, product.due, product.answered_within) == (4, 2, 4, 2)
    assert product.median_days_to_response == pytest.approx((2 + 14 / 24 + 5 + 23 / 24) / 2)
    tech = by_group["tech"]  # explain (answered an hour too late) and health (one answered in a day, one not due)
    assert (tech.flags, tech.due, tech.answered_within, tech.share_answered_within) == (3, 2, 1, 0.5)
    assert by_group["neither"].flags == 0
    assert by_group["neither"].share_answered_within is None
    assert by_group["neither"].median_days_to_response is None


def test_a_clause_moved_to_the_other_side_takes_its_flags_figures_with_it(known: sessionmaker[Session]) -> None:
    edit_clause(known, team_id="T1", keyword="seat", side="tech")

    by_group = {g.group.key: g.figures for g in learn_recent(known, team_id="T1", end=END).groups}

    assert (by_group["product"].flags, by_group["tech"].flags) == (3, 4)


def test_the_median_time_to_resolution_is_beside_it(known: sessionmaker[Session]) -> None:
    learned = learn_recent(known, team_id="T1", end=END)

    assert learned.total.resolved == 1
    assert learned.total.median_days_to_resolution == pytest.approx(8.0)


def test_claimed_constraints_and_how_many_leads_confirmed(known: sessionmaker[Session]) -> None:
    total = learn_recent(known, team_id="T1", end=END).total

    assert (total.dated, total.dated_with_claim) == (4, 3)
    assert total.share_dated_with_claim == pytest.approx(0.75)
    assert (total.claims, total.confirmed, total.not_confirmed, total.unreviewed) == (4, 2, 1, 1)


def test_each_week_has_its_own_figures_and_a_week_with_no_flags_counts_zero(known: sessionmaker[Session]) -> None:
    weeks = learn_recent(known, team_id="T1", end=END).weeks

    assert [w.label for w in weeks] == ["05 Oct", "12 Oct", "19 Oct", "26 Oct", "02 Nov", "09 Nov", "16 Nov", "23 Nov"]
    assert [w.total.flags for w in weeks] == [0, 0, 1, 0, 1, 2, 1, 2]
    assert [w.total.resolved for w in weeks] == [0, 0, 0, 0, 0, 0, 1, 0]
    empty = weeks[3]
    assert (empty.total.answered, empty.total.due, empty.total.median_days_to_response) == (0, 0, None)
    assert [g.figures.flags for g in weeks[5].groups if g.figures.flags] == [1, 1]  # the deadline and the explain


def test_a_report_covers_any_range_in_weeks_from_its_first_day(known: sessionmaker[Session]) -> None:
    learned = learn_range(known, team_id="T1", since=date(2026, 11, 2), until=date(2026, 11, 22), now=END)

    assert [w.label for w in learned.weeks] == ["02 Nov", "09 Nov", "16 Nov"]
    assert learned.total.flags == 4  # 2, 9, 10 and 20 November
    assert learned.end == paris(2026, 11, 23, 0)
    # Judged at the report's end: the flag of 20 November was answered after it, and is not due by then.
    assert (learned.total.answered, learned.total.due) == (2, 3)


def test_a_report_range_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(InvalidRange, match="before"):
        report_weeks(date(2026, 11, 2), date(2026, 11, 1), PARIS, END)


def test_a_report_stops_at_now_and_its_last_week_is_shorter() -> None:
    boundaries = report_weeks(date(2026, 11, 16), date(2026, 12, 31), PARIS, END)

    assert boundaries == [paris(2026, 11, 16, 0), paris(2026, 11, 23, 0), paris(2026, 11, 30, 0), END]


def test_the_digest_summary_and_preview_show_the_figures_per_side(known: sessionmaker[Session]) -> None:
    digest = build_digest(known, team_id="T1", period=rolling_week(END))

    summary = json.dumps(digest_summary_message(digest)["blocks"], ensure_ascii=False)
    preview = digest_plain_text(digest)

    for text in (summary, preview):
        assert "first answer by a lead 4.3 days · 50% (3 of 6) answered within 5 working days · resolution 8.0 days" in text
        assert "Product's side, 4 flags: first answer 4.3 days · 50% (2 of 4) within 5 working days" in text
        assert "Tech's side, 3 flags: first answer 4.0 days · 50% (1 of 2) within 5 working days" in text
        assert "3 of 4 flags with a demanded date claimed a real external constraint (75%)" in text
        assert "of 4 claims, 2 confirmed by a lead, 1 not confirmed, 1 not reviewed yet" in text
        assert "Other (neither side), 0 flags" not in text  # a group with nothing to say is left out
