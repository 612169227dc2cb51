"""A workspace's working agreement: the clauses product and tech agreed to, each the responsibility of one side.

A flag names the clause it says was not kept. Product's side holds tech's rights (product's responsibilities), tech's
side product's rights (tech's responsibilities); `other` is on neither side, for a strain no clause names. Every
workspace starts with DEFAULT_AGREEMENT (seeded on first use, or by the migration for workspaces that existed before),
then words its own: clauses are added, edited, retired and restored, never deleted, so a flag keeps its clause.

    agreement = agreement_of(db, team_id="T0123")
    agreement.clause("feature").title  # "Problems, not features"
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.orm import Session, sessionmaker

from bot.db import agreement as clause_store
from bot.db.models import AgreementClause
from bot.domain.errors import storage_errors
from bot.domain.workspace_settings import is_listed_lead

KEYWORD_MIN, KEYWORD_MAX = 2, 20
TITLE_MAX = 75  # Slack's option text: a title is what the flag form's select offers
DESCRIPTION_MAX = 100  # one line
ACTIVE_CLAUSES_MAX = 40  # on the two sides; `other` is always there besides them
OTHER_KEYWORD = "other"
DEFAULT_KEYWORD = "deadline"  # an inline flag without a keyword: the command is named for the commonest case
# Words the command itself answers (`/deadline-flag help`, `/deadline-flag agreement`): never a keyword.
RESERVED_WORDS = frozenset({"help", "usage", "agreement"})
_KEYWORD = re.compile(rf"\A[a-z]{{{KEYWORD_MIN},{KEYWORD_MAX}}}\Z")
_TEAM_ID = re.compile(r"\A[A-Z0-9]{1,32}\Z")


class Side(StrEnum):
    """Stored as its value: the side whose responsibility a clause is."""

    PRODUCT = "product"
    TECH = "tech"

    @property
    def label(self) -> str:
        return "Product's side" if self is Side.PRODUCT else "Tech's side"

    @property
    def meaning(self) -> str:
        """Whose rights, whose responsibilities: the one-line reading of a side."""
        if self is Side.PRODUCT:
            return "tech's rights, product's responsibilities"
        return "product's rights, tech's responsibilities"


SIDES = (Side.PRODUCT, Side.TECH)
NEITHER_LABEL = "Neither side"


@dataclass(frozen=True)
class Clause:
    keyword: str  # typed before a colon in `/deadline-flag feature: ...`; unique in its workspace, never changed
    side: Side | None  # None: `other`, on neither side
    title: str  # what is agreed, at most TITLE_MAX
    description: str  # one line
    active: bool = True  # a retired clause is offered for no new flag, and keeps its flags
    id: int = 0  # 0: not stored (the default agreement shown while the database is away)

    @property
    def is_other(self) -> bool:
        return self.side is None


# The default agreement, in the order it is shown: product's side, then tech's, then `other`.
DEFAULT_AGREEMENT = (
    Clause(
        "deadline",
        Side.PRODUCT,
        "No artificial deadlines",
        "Dates come from a real external constraint, not from the roadmap alone.",
    ),
    Clause(
        "feature", Side.PRODUCT, "Problems, not features", "Product brings the problem to solve, not a solution to build."
    ),
    Clause(
        "seat",
        Side.PRODUCT,
        "Tech at the table when the roadmap is shaped",
        "Tech is in the room when the roadmap and its priorities are decided.",
    ),
    Clause(
        "remedial",
        Side.PRODUCT,
        "Room for remedial work, done properly",
        "Health and tech-debt work is planned in, not cut, rushed or deferred again.",
    ),
    Clause(
        "priorities",
        Side.PRODUCT,
        "One backlog, built together",
        "Priorities change through the shared backlog, not around it.",
    ),
    Clause(
        "estate",
        Side.PRODUCT,
        "Respect the estate's limits",
        "Work the estate cannot take is not forced through: tech may delay or turn it down.",
    ),
    Clause(
        "health",
        Side.TECH,
        "Keep the estate healthy",
        "Tech keeps the systems in a state where features can be delivered efficiently.",
    ),
    Clause(
        "urgent",
        Side.TECH,
        "Act on urgent remedial work",
        "When product raises remedial work that puts the organisation at risk, tech acts on it.",
    ),
    Clause(
        "input",
        Side.TECH,
        "Bring the estate's view to the roadmap",
        "Tech speaks for what the estate needs when the roadmap is discussed.",
    ),
    Clause(
        "reorder",
        Side.TECH,
        "Take on priorities reordered through the process",
        "Priorities reordered the agreed way are taken on, not argued over again.",
    ),
    Clause(
        "roadmap",
        Side.TECH,
        "Delivering the agreed roadmap comes first",
        "Delivering the roadmap both sides agreed is tech's first goal.",
    ),
    Clause(
        "explain",
        Side.TECH,
        "Give the estate's reason for a delay or a no",
        "When tech delays or declines work, it says what in the estate makes it so.",
    ),
    Clause(OTHER_KEYWORD, None, "Other", "Another strain on the product-tech working agreement."),
)


class InvalidClause(Exception):
    """A clause change that cannot be made. `problems` maps each field at fault (keyword, side, title, description,
    active) to one sentence saying how to fix it; the message and `field` are the first of them."""

    def __init__(self, problems: dict[str, str]) -> None:
        field, message = next(iter(problems.items()))
        super().__init__(message)
        self.field = field
        self.problems = problems


@dataclass(frozen=True)
class Agreement:
    team_id: str
    clauses: tuple[Clause, ...]  # every clause, retired ones included, in the order they were added
    # The workspace's agreement revision these clauses were read at (None: not stored, the default agreement).
    # A flag is stored only while it is still the workspace's: bot.domain.flags checks it under the flag's lock.
    revision: str | None = None

    def clause(self, keyword: str | None) -> Clause | None:
        """The clause with this keyword (any case), active or retired; None if there is none."""
        wanted = (keyword or "").strip().lower()
        return next((c for c in self.clauses if c.keyword == wanted), None)

    @property
    def other(self) -> Clause:
        return self.clause(OTHER_KEYWORD) or DEFAULT_AGREEMENT[-1]

    @property
    def default(self) -> Clause:
        """Where an inline flag without a keyword goes: `deadline` while it is active, else `other`."""
        clause = self.clause(DEFAULT_KEYWORD)
        return clause if clause is not None and clause.active else self.other

    def on_side(self, side: Side | None, *, also: Iterable[int] = ()) -> tuple[Clause, ...]:
        """The side's active clauses, and the retired ones whose ids are in `also` (which have flags to show)."""
        kept = set(also)
        return tuple(c for c in self.clauses if c.side == side and (c.active or c.id in kept))

    @property
    def active(self) -> tuple[Clause, ...]:
        """What a new flag can name: both sides' active clauses in order, then `other`."""
        return (*self.on_side(Side.PRODUCT), *self.on_side(Side.TECH), self.other)

    @property
    def retired(self) -> tuple[Clause, ...]:
        return tuple(c for c in self.clauses if not c.active)


def default_agreement(team_id: str) -> Agreement:
    """The default agreement, not stored: what a workspace starts with."""
    return Agreement(team_id, DEFAULT_AGREEMENT)


def to_clause(row: AgreementClause) -> Clause:
    return Clause(
        keyword=row.keyword,
        side=Side(row.side) if row.side else None,
        title=row.title,
        description=row.description,
        active=row.active,
        id=row.id,
    )


def clauses_of(session: Session, *, team_id: str) -> list[AgreementClause]:
    """The workspace's clauses, seeded with the default agreement on first use (in the caller's transaction).

    Race-safe: two processes seeding the same new workspace insert the same rows, and the unique (team_id, keyword)
    keeps one of each (INSERT … ON CONFLICT DO NOTHING); a clause a workspace retired is never brought back."""
    rows = clause_store.list_clauses(session, team_id=team_id)
    if not rows and _TEAM_ID.match(team_id):
        seeds = [_row_values(c) for c in DEFAULT_AGREEMENT]
        if clause_store.insert_clauses_if_missing(session, team_id=team_id, clauses=seeds):
            _new_revision(session, team_id)  # a purged workspace seeded again has new clause ids
        rows = clause_store.list_clauses(session, team_id=team_id)
    return rows


def agreement_of(db: sessionmaker[Session], *, team_id: str) -> Agreement:
    """The workspace's agreement, seeded with the default one on first use, and the revision it was read at. A
    request without a workspace id gets the default agreement, unstored. StorageUnavailable when the database is away."""
    if not _TEAM_ID.match(team_id):
        return default_agreement(team_id)
    with storage_errors(), db.begin() as session:
        # The revision before the clauses: a change committed between the two pairs an older revision with newer
        # clauses, which the next flag finds out of date (one more read), never a newer revision with older clauses.
        revision = clause_store.get_agreement_revision(session, team_id=team_id)
        rows = clause_store.list_clauses(session, team_id=team_id) if revision is not None else []
        if not rows:
            # A new workspace (seeded here), or one read for the first time since revisions began: its counter row
            # is written, and so held, before the clauses are read, so no change can come in between.
            clauses_of(session, team_id=team_id)
            revision = clause_store.set_agreement_revision(
                session, team_id=team_id, revision=secrets.token_hex(16), only_if_missing=True
            )
            rows = clause_store.list_clauses(session, team_id=team_id)
        return Agreement(team_id, tuple(to_clause(row) for row in rows), revision)


class AgreementCache:
    """The agreements this process has read, by workspace, for the inline command: a flag names its clause by
    keyword, and reading every clause for every flag cost more than storing the flag (PostgreSQL: a transaction of
    four round trips). A cached agreement may be out of date: the flag's own lock says so (Agreement.revision), and
    the command is then read again against the current one (bot.domain.flags.record_inline)."""

    MAX_WORKSPACES = 10_000  # a few kB each; past that, start again rather than grow without bound

    def __init__(self) -> None:
        self._by_team: dict[str, Agreement] = {}

    def cached(self, db: sessionmaker[Session], *, team_id: str) -> Agreement:
        """The agreement last read for the workspace, or read now if there is none."""
        return self._by_team.get(team_id) or self.read(db, team_id=team_id)

    def read(self, db: sessionmaker[Session], *, team_id: str) -> Agreement:
        """The workspace's agreement as stored now, kept for the next flag."""
        agreement = agreement_of(db, team_id=team_id)
        if agreement.revision is not None:
            if len(self._by_team) >= self.MAX_WORKSPACES:
                self._by_team.clear()
            self._by_team[team_id] = agreement  # one dict write: atomic under the GIL, so no lock is needed
        return agreement


def _new_revision(session: Session, team_id: str) -> None:
    """Every change to a workspace's clauses gives its agreement a new revision, in the same transaction, so that
    no process goes on filing flags against the agreement as it was. Writing the counter row also locks it: take it
    before the clauses, in the order every flag takes them (the counter, then its clause), or the two could deadlock."""
    clause_store.set_agreement_revision(session, team_id=team_id, revision=secrets.token_hex(16))


def check_clause(
    *, keyword: str | None = None, side: str | None = None, title: str | None = None, description: str | None = None
) -> dict[str, str]:
    """{field: how to fix it} for each given value a clause cannot have; empty when all can. What the workspace
    already holds (a keyword taken, 40 active clauses) is checked by check_addition and check_edit."""
    problems: dict[str, str] = {}
    if keyword is not None:
        word = keyword.strip()
        if not _KEYWORD.match(word):
            problems["keyword"] = (
                f"A keyword is one short lower-case word of {KEYWORD_MIN} to {KEYWORD_MAX} letters (a to z), like `estate`."
            )
        elif word in RESERVED_WORDS:
            problems["keyword"] = f"`{word}` is a word the command itself answers to: pick another keyword."
    if side is not None and side.strip().lower() not in {s.value for s in SIDES}:
        problems["side"] = "Pick a side: product or tech."
    if title is not None:
        text = title.strip()
        if not text:
            problems["title"] = "Give the clause a title: what is agreed, in a few words."
        elif "\n" in text:
            problems["title"] = "Keep the title on one line."
        elif len(text) > TITLE_MAX:
            problems["title"] = f"Keep the title to {TITLE_MAX} characters (it has {len(text)}), so it fits Slack's menus."
    if description is not None and ("\n" in description.strip() or len(description.strip()) > DESCRIPTION_MAX):
        problems["description"] = f"Keep the description to one line of at most {DESCRIPTION_MAX} characters."
    return problems


def check_addition(
    db: sessionmaker[Session], *, team_id: str, side: str, keyword: str, title: str, description: str | None = None
) -> dict[str, str]:
    """Every problem add_clause would refuse, for a form to show beside its fields before it closes."""
    with storage_errors(), db.begin() as session:
        return _addition_problems(session, team_id, side, keyword, title, description)


def check_edit(db: sessionmaker[Session], *, team_id: str, keyword: str, **changes: str | bool | None) -> dict[str, str]:
    """Every problem edit_clause would refuse, given the same changes, for a form to show beside its fields before
    it closes."""
    with storage_errors(), db.begin() as session:
        return _edit_problems(session, team_id, keyword, changes)[1]


def add_clause(
    db: sessionmaker[Session], *, team_id: str, side: str, keyword: str, title: str, description: str | None = None
) -> Clause:
    """Add an active clause to one side; InvalidClause if it cannot be (checked again here, in the transaction)."""
    with storage_errors(), db.begin() as session:
        _new_revision(session, team_id)
        if problems := _addition_problems(session, team_id, side, keyword, title, description):
            raise InvalidClause(problems)
        row = clause_store.add_clause(
            session,
            team_id=team_id,
            keyword=keyword.strip(),
            side=side.strip().lower(),
            title=title.strip(),
            description=(description or "").strip(),
        )
        return to_clause(row)


def edit_clause(
    db: sessionmaker[Session],
    *,
    team_id: str,
    keyword: str,
    title: str | None = None,
    description: str | None = None,
    side: str | None = None,
    active: bool | None = None,
) -> Clause:
    """Change what is given (title, description, side; `active` False retires, True restores); the keyword stays.
    Flags keep their clause whatever changes: a clause moved to the other side takes its flags with it."""
    with storage_errors(), db.begin() as session:
        _new_revision(session, team_id)
        changes = dict(title=title, description=description, side=side, active=active)
        row, problems = _edit_problems(session, team_id, keyword, changes)
        if problems:
            raise InvalidClause(problems)
        assert row is not None
        if title is not None:
            row.title = title.strip()
        if description is not None:
            row.description = description.strip()
        if side is not None:
            row.side = side.strip().lower()
        if active is not None:
            row.active = active
        return to_clause(row)


def retire_clause(db: sessionmaker[Session], *, team_id: str, keyword: str) -> Clause:
    """Offer the clause for no new flag; its flags and their history stay, and digests covering them still show it."""
    return edit_clause(db, team_id=team_id, keyword=keyword, active=False)


def restore_clause(db: sessionmaker[Session], *, team_id: str, keyword: str) -> Clause:
    return edit_clause(db, team_id=team_id, keyword=keyword, active=True)


def may_edit_agreement(db: sessionmaker[Session], *, team_id: str, user_id: str, actor_is_admin: bool) -> bool:
    """Workspace admins and owners (Slack says who: `actor_is_admin`) and the workspace's leads, as for outcomes."""
    if actor_is_admin:
        return True
    with storage_errors():
        return is_listed_lead(db, team_id=team_id, user_id=user_id)


EDITORS_ONLY = "Only workspace admins, owners and leads can change the agreement."


def _addition_problems(
    session: Session, team_id: str, side: str, keyword: str, title: str, description: str | None
) -> dict[str, str]:
    problems = check_clause(keyword=keyword, side=side, title=title, description=description)
    rows = _locked_clauses(session, team_id)
    if "keyword" not in problems and any(row.keyword == keyword.strip() for row in rows):
        problems["keyword"] = (
            f"`{keyword.strip()}` is already a keyword of this agreement (active or retired): pick another word."
        )
    if not problems and _active_count(rows) >= ACTIVE_CLAUSES_MAX:
        problems["keyword"] = _FULL
    return problems


def _edit_problems(
    session: Session, team_id: str, keyword: str, changes: Mapping[str, str | bool | None]
) -> tuple[AgreementClause | None, dict[str, str]]:
    """The clause to edit and what edit_clause would refuse of `changes` (title, description, side, active)."""
    rows = _locked_clauses(session, team_id)
    row = next((r for r in rows if r.keyword == keyword.strip().lower()), None)
    if row is None:
        return None, {"keyword": f"There is no clause `{keyword.strip()}` in this agreement: check the keyword."}
    if row.side is None:
        return row, {"keyword": f"`{OTHER_KEYWORD}` is the app's own, on neither side: it cannot be changed or retired."}
    side, title, description = (changes.get(name) for name in ("side", "title", "description"))
    problems = check_clause(side=side, title=title, description=description)
    if changes.get("active") and not row.active and _active_count(rows) >= ACTIVE_CLAUSES_MAX:
        problems["active"] = _FULL
    return row, problems


_FULL = f"The agreement already has {ACTIVE_CLAUSES_MAX} active clauses: retire one before adding or restoring another."


def _locked_clauses(session: Session, team_id: str) -> list[AgreementClause]:
    """The workspace's clauses, held (PostgreSQL: FOR UPDATE) so two changes at once cannot pass the limit together."""
    clauses_of(session, team_id=team_id)
    clause_store.lock_clauses(session, team_id=team_id)
    return clause_store.list_clauses(session, team_id=team_id)  # read again: a change that held them first counts


def _active_count(rows: list[AgreementClause]) -> int:
    return sum(1 for row in rows if row.active and row.side is not None)


def _row_values(clause: Clause) -> dict[str, object]:
    return {
        "keyword": clause.keyword,
        "side": clause.side.value if clause.side else None,
        "title": clause.title,
        "description": clause.description,
        "active": clause.active,
    }
