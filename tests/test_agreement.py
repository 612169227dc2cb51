"""The working agreement: each workspace's clauses, both sides from the start, flagged by keyword, retired and
restored; `/deadline-flag agreement` and `help` show it; one workspace's agreement is its own."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.db import flags as flag_store
from bot.db.models import AgreementClause
from bot.domain import flags
from bot.domain.agreement import (
    ACTIVE_CLAUSES_MAX,
    DEFAULT_AGREEMENT,
    AgreementCache,
    InvalidClause,
    Side,
    add_clause,
    agreement_of,
    edit_clause,
    restore_clause,
    retire_clause,
)
from bot.domain.export import export_rows
from bot.domain.outcomes import Status, change_status, status_history
from bot.domain.uninstalls import purge_workspace
from tests.clauses import clause_id
from tests.fake_slack_api import FakeSlackApi
from tests.holding import show_at_once
from tests.markup import live_markup
from tests.slack_requests import SlackSender
from tests.views import opened_view

KEY = b"test-reporter-key"  # the config fixture's REPORTER_KEY
INLINE = {"team_id": "T1", "reporter_id": "U1", "request_key": None, "reporter_key": KEY}


def stored(db: sessionmaker[Session], team_id: str = "T1") -> list:
    with db() as session:
        return flag_store.list_flags(session, team_id=team_id)


def answer_text(body: dict) -> str:
    return "\n".join(
        [b["text"]["text"] for b in body["blocks"] if b["type"] == "section"]
        + [e["text"] for b in body["blocks"] if b["type"] == "context" for e in b["elements"]]
    )


# -- 1. clauses -------------------------------------------------------------------------------------------------------


def test_a_clause_has_a_keyword_a_side_a_title_a_one_line_description_and_is_active(db: sessionmaker[Session]) -> None:
    add_clause(db, team_id="T1", side="tech", keyword="oncall", title="Own what you ship", description="On call too.")

    clause = agreement_of(db, team_id="T1").clause("oncall")

    assert clause is not None
    assert (clause.keyword, clause.side, clause.title, clause.description, clause.active) == (
        "oncall",
        Side.TECH,
        "Own what you ship",
        "On call too.",
        True,
    )


def test_other_is_on_neither_side(db: sessionmaker[Session]) -> None:
    agreement = agreement_of(db, team_id="T1")

    assert agreement.other.keyword == "other"
    assert agreement.other.side is None
    assert agreement.other not in (*agreement.on_side(Side.PRODUCT), *agreement.on_side(Side.TECH))


def test_a_flag_names_the_clause_it_says_was_not_kept(slack: SlackSender, db: sessionmaker[Session]) -> None:
    slack.command("explain: the upgrade was declined with no reason given")

    [flag] = stored(db)
    assert (flag.clause.keyword, flag.clause.side, flag.clause.team_id) == ("explain", "tech", "T1")


# -- 2. the default agreement -----------------------------------------------------------------------------------------


def test_a_new_workspace_starts_with_both_sides_of_the_default_agreement(db: sessionmaker[Session]) -> None:
    agreement = agreement_of(db, team_id="T0NEW")

    assert [c.keyword for c in agreement.on_side(Side.PRODUCT)] == [
        "deadline",
        "feature",
        "seat",
        "remedial",
        "priorities",
        "estate",
    ]
    assert [c.keyword for c in agreement.on_side(Side.TECH)] == [
        "health",
        "urgent",
        "input",
        "reorder",
        "roadmap",
        "explain",
    ]
    assert [c.keyword for c in agreement.active][-1] == "other"
    assert all(c.title and c.description and len(c.title) <= 75 for c in agreement.clauses)


def test_several_processes_starting_the_same_new_workspace_at_once_store_one_agreement(db: sessionmaker[Session]) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        agreements = list(pool.map(lambda _: agreement_of(db, team_id="T0RACE"), range(16)))

    with db() as session:
        count = session.scalar(select(func.count()).select_from(AgreementClause).where(AgreementClause.team_id == "T0RACE"))
    assert count == len(DEFAULT_AGREEMENT)
    assert len({tuple(c.id for c in a.clauses) for a in agreements}) == 1  # all saw the same rows


def test_a_default_clause_a_workspace_retired_is_not_brought_back(db: sessionmaker[Session]) -> None:
    retire_clause(db, team_id="T1", keyword="seat")

    agreement = agreement_of(db, team_id="T1")

    assert agreement.clause("seat") is not None and not agreement.clause("seat").active
    assert "seat" not in [c.keyword for c in agreement.active]


@pytest.mark.parametrize(
    ("text", "keyword"),
    [
        ("deadline: demo by Friday", "deadline"),
        ("feature: a CSV button", "feature"),
        ("seat: roadmap set without us", "seat"),
        ("remedial: the upgrade cut again", "remedial"),
        ("priorities: reordered in a DM", "priorities"),
        ("other: something else", "other"),
        ("no keyword at all", "deadline"),
    ],
)
def test_the_six_keywords_of_before_file_flags_as_they_did(
    slack: SlackSender, db: sessionmaker[Session], text: str, keyword: str
) -> None:
    slack.command(text)

    assert [f.clause.keyword for f in stored(db)] == [keyword]


# -- 3. everywhere a category showed, the clause shows, by side --------------------------------------------------------


def test_the_receipt_names_the_clause_and_its_side(slack: SlackSender) -> None:
    reply = slack.command("urgent: the payments outage fix was parked")

    assert "Flagged under *Act on urgent remedial work* · tech's side" in answer_text(reply.json())


def test_help_lists_the_workspaces_active_clauses_by_side_and_no_retired_one(
    slack: SlackSender, db: sessionmaker[Session]
) -> None:
    add_clause(db, team_id="T1", side="product", keyword="scope", title="Scope is agreed before dates")
    retire_clause(db, team_id="T1", keyword="seat")

    text = answer_text(slack.command("help").json())

    product, tech = text.index("*Product's side*"), text.index("*Tech's side*")
    assert product < text.index("`scope:`") < tech < text.index("`explain:`")
    assert "`seat:`" not in text
    assert stored(db) == []


def test_a_retired_clause_is_not_offered_in_the_flag_form(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    retire_clause(db, team_id="T1", keyword="seat")

    slack.command("")

    view = opened_view(fake_slack_api.wait_for("views.open")[0])
    [select_block] = [b for b in view["blocks"] if b.get("block_id") == "clause"]
    offered = [o["value"] for g in select_block["element"]["option_groups"] for o in g["options"]]
    assert "seat" not in offered and "deadline" in offered


def test_the_export_has_keyword_title_and_side_columns(slack: SlackSender, db: sessionmaker[Session]) -> None:
    show_at_once(db)  # the export holds the flags leads may see
    slack.command("roadmap: the sprint went to a side project")
    slack.command("other: the office moved")

    rows = export_rows(db, team_id="T1")

    assert [(r["keyword"], r["title"], r["side"]) for r in rows] == [
        ("roadmap", "Delivering the agreed roadmap comes first", "tech"),
        ("other", "Other", ""),
    ]


# -- 4. editing: retired, restored, refused ----------------------------------------------------------------------------


def test_a_retired_keyword_stores_nothing_and_answers_that_it_was_retired_with_the_text_back(
    slack: SlackSender, db: sessionmaker[Session]
) -> None:
    retire_clause(db, team_id="T1", keyword="seat")

    reply = slack.command("seat: the roadmap was set without us <!here>")

    text = answer_text(reply.json())
    assert "`seat` was retired from this workspace's agreement" in text
    assert "the roadmap was set without us &lt;!here&gt;" in text
    assert live_markup(reply.json()) == []
    assert stored(db) == []


def test_a_retired_clause_keeps_its_flags_and_their_history(slack: SlackSender, db: sessionmaker[Session]) -> None:
    show_at_once(db)  # leads change the outcome of flags they see
    slack.command("seat: the roadmap was set without us")
    [flag] = stored(db)
    change_status(
        db,
        team_id="T1",
        flag_number=flag.number,
        to_status=Status.ACKNOWLEDGED,
        changed_by="U0LEAD",
        actor_is_admin=True,
        reporter_key=KEY,
        now=flag.created_at,
    )

    retire_clause(db, team_id="T1", keyword="seat")

    [kept] = stored(db)
    assert (kept.id, kept.clause.keyword, kept.clause.active) == (flag.id, "seat", False)
    assert [(f, t) for f, t, *_ in status_history(db, team_id="T1", flag_id=flag.id)] == [("open", "acknowledged")]


def test_a_restored_clause_is_flagged_by_its_keyword_again(slack: SlackSender, db: sessionmaker[Session]) -> None:
    retire_clause(db, team_id="T1", keyword="seat")
    restore_clause(db, team_id="T1", keyword="seat")

    slack.command("seat: the roadmap was set without us")

    assert [f.clause.keyword for f in stored(db)] == ["seat"]


def test_a_flag_edited_after_its_clause_was_retired_may_keep_that_clause(
    slack: SlackSender, db: sessionmaker[Session]
) -> None:
    slack.command("seat: the roadmap was set without us", user_id="U1")
    [flag] = stored(db)
    retire_clause(db, team_id="T1", keyword="seat")
    edit = flags.FlagReport(team_id="T1", reporter_id="U1", keyword="seat", summary="set without us, twice")

    flags.update_flag(db, flag.id, edit, reporter_key=KEY)

    assert [(f.clause.keyword, f.summary) for f in stored(db)] == [("seat", "set without us, twice")]


def test_a_flag_cannot_be_moved_to_a_retired_clause(slack: SlackSender, db: sessionmaker[Session]) -> None:
    slack.command("seat: the roadmap was set without us", user_id="U1")
    [flag] = stored(db)
    retire_clause(db, team_id="T1", keyword="estate")
    edit = flags.FlagReport(team_id="T1", reporter_id="U1", keyword="estate", summary="moved")

    with pytest.raises(flags.InvalidReport, match="`estate` was retired"):
        flags.update_flag(db, flag.id, edit, reporter_key=KEY)

    assert [(f.clause.keyword, f.summary) for f in stored(db)] == [("seat", "the roadmap was set without us")]


def test_moving_a_clause_to_the_other_side_takes_its_flags_with_it(slack: SlackSender, db: sessionmaker[Session]) -> None:
    slack.command("input: nobody asked what the estate needs")

    edit_clause(db, team_id="T1", keyword="input", side="product", title="Ask for the estate's view")

    [flag] = stored(db)
    assert (flag.clause.side, flag.clause.title) == ("product", "Ask for the estate's view")


@pytest.mark.parametrize(
    ("change", "field", "sentence"),
    [
        (dict(keyword="Big Word"), "keyword", "A keyword is one short lower-case word"),
        (dict(keyword="x"), "keyword", "A keyword is one short lower-case word"),
        (dict(keyword="agreement"), "keyword", "a word the command itself answers to"),
        (dict(keyword="seat"), "keyword", "`seat` is already a keyword of this agreement (active or retired)"),
        (dict(title="t" * 76), "title", "Keep the title to 75 characters (it has 76)"),
        (dict(title="  "), "title", "Give the clause a title"),
        (dict(side="sales"), "side", "Pick a side: product or tech."),
        (dict(description="two\nlines"), "description", "Keep the description to one line"),
    ],
)
def test_a_clause_that_cannot_be_added_is_refused_in_one_sentence_and_nothing_is_stored(
    db: sessionmaker[Session], change: dict, field: str, sentence: str
) -> None:
    values = {"side": "tech", "keyword": "oncall", "title": "Own what you ship", "description": None, **change}
    before = agreement_of(db, team_id="T1")

    with pytest.raises(InvalidClause) as refused:
        add_clause(db, team_id="T1", **values)

    assert refused.value.field == field
    assert sentence in str(refused.value)
    assert str(refused.value).count(". ") == 0  # one sentence
    assert agreement_of(db, team_id="T1") == before


def test_a_keyword_retired_is_still_taken(db: sessionmaker[Session]) -> None:
    retire_clause(db, team_id="T1", keyword="seat")

    with pytest.raises(InvalidClause, match="already a keyword"):
        add_clause(db, team_id="T1", side="product", keyword="seat", title="A new seat")


def test_an_agreement_holds_at_most_40_active_clauses_and_a_retired_one_is_restored_only_below_that(
    db: sessionmaker[Session],
) -> None:
    retire_clause(db, team_id="T1", keyword="seat")
    for i in range(ACTIVE_CLAUSES_MAX - 11):  # the default agreement has 12 on its sides, one of them retired now
        add_clause(db, team_id="T1", side="tech", keyword=f"extra{chr(97 + i // 26)}{chr(97 + i % 26)}", title=f"{i}")

    with pytest.raises(InvalidClause, match="already has 40 active clauses") as full:
        add_clause(db, team_id="T1", side="product", keyword="oneover", title="One too many")
    with pytest.raises(InvalidClause, match="already has 40 active clauses") as restoring:
        restore_clause(db, team_id="T1", keyword="seat")

    assert (full.value.field, restoring.value.field) == ("keyword", "active")
    assert len([c for c in agreement_of(db, team_id="T1").active if not c.is_other]) == ACTIVE_CLAUSES_MAX


def test_other_cannot_be_edited_or_retired(db: sessionmaker[Session]) -> None:
    with pytest.raises(InvalidClause, match="on neither side"):
        retire_clause(db, team_id="T1", keyword="other")
    with pytest.raises(InvalidClause, match="on neither side"):
        edit_clause(db, team_id="T1", keyword="other", side="tech")


# -- 5. /deadline-flag agreement --------------------------------------------------------------------------------------


def test_deadline_flag_agreement_answers_only_the_person_who_typed_it_with_both_sides(
    slack: SlackSender, fake_slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    reply = slack.command("agreement")

    body = reply.json()
    assert body["response_type"] == "ephemeral"
    text = answer_text(body)
    assert text.index("*Product's side* · tech's rights, product's responsibilities") < text.index(
        "*Tech's side* · product's rights, tech's responsibilities"
    )
    for clause in DEFAULT_AGREEMENT:
        assert f"`{clause.keyword}:` *{clause.title.replace('&', '&amp;')}*: {clause.description}" in text
    assert fake_slack_api.calls_to("chat.postMessage") == []
    assert stored(db) == []


# -- 6. each workspace's agreement is its own ---------------------------------------------------------------------------


def test_one_workspaces_clauses_never_show_in_or_change_anothers(slack: SlackSender, db: sessionmaker[Session]) -> None:
    add_clause(db, team_id="T1", side="product", keyword="scope", title="Scope is agreed before dates")
    retire_clause(db, team_id="T1", keyword="seat")
    edit_clause(db, team_id="T1", keyword="feature", title="T1's own wording")

    slack.command("scope: a date before the scope", team_id="T2")
    slack.command("seat: the roadmap was set without us", team_id="T2")
    help_in_t2 = answer_text(slack.command("help", team_id="T2").json())
    agreement_in_t2 = answer_text(slack.command("agreement", team_id="T2").json())

    assert sorted((f.clause.keyword, f.summary) for f in stored(db, "T2")) == [
        ("deadline", "scope: a date before the scope"),  # not a keyword in T2: the whole text, under the default
        ("seat", "the roadmap was set without us"),  # still active in T2
    ]
    assert "scope" not in help_in_t2 and "scope" not in agreement_in_t2
    assert "T1's own wording" not in agreement_in_t2 and "*Problems, not features*" in agreement_in_t2
    with pytest.raises(InvalidClause, match="no clause `scope`"):
        retire_clause(db, team_id="T2", keyword="scope")


def test_a_keyword_added_elsewhere_is_read_by_a_process_that_cached_the_agreement_before(
    db: sessionmaker[Session],
) -> None:
    this_process = AgreementCache()
    flags.record_inline(db, this_process, "feature: a spec, no problem", **INLINE)

    add_clause(db, team_id="T1", side="tech", keyword="oncall", title="Nobody is on call alone")  # another process
    recorded = flags.record_inline(db, this_process, "oncall: paged all week", **INLINE).recorded

    assert recorded is not None
    assert (recorded.clause.keyword, recorded.summary) == ("oncall", "paged all week")


def test_a_workspace_purged_and_flagged_again_files_under_its_new_agreement(db: sessionmaker[Session]) -> None:
    this_process = AgreementCache()
    flags.record_inline(db, this_process, "feature: a spec, no problem", **INLINE)

    purge_workspace(db, "T1")  # its clauses go too, and come back with new ids on first use
    recorded = flags.record_inline(db, this_process, "feature: again", **INLINE).recorded

    assert recorded is not None
    assert recorded.clause.id == clause_id(db, "feature") and [f.summary for f in stored(db)] == ["again"]
