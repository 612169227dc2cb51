"""Flag use cases: parse what the reporter typed, validate it, record it under its clause, read it back.

Each use case owns its transaction (`with db.begin()`), and returns frozen dataclasses, never ORM rows.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.db import flags as flag_store
from bot.db.models import Flag
from bot.db.session import engine_of
from bot.domain import holding
from bot.domain.agreement import Agreement, AgreementCache, Clause, agreement_of, to_clause
from bot.domain.errors import StorageUnavailable, storage_errors
from bot.domain.reporters import reporter_hash, seal_contact

SUMMARY_MAX = 3000  # characters; long enough for a pasted message, short enough for one Block Kit section
SOURCE_MAX = 500
FLAG_ID_MAX = 2**31 - 1  # flags.id is a 32-bit integer on PostgreSQL: a larger id finds nothing
CONSTRAINT_MAX = 500
HELP_WORDS = frozenset({"help", "?", "-h", "--help", "usage"})
# "feature: build a CSV button": a short word, a colon, then the text.
# Slack's ids (T…, U…, W…, C…, G…, D…) fit the 32-character columns; a message ts is seconds.microseconds.
_SLACK_ID = re.compile(r"\A[A-Z0-9]{1,32}\Z")
_MESSAGE_TS = re.compile(r"\A[0-9]{1,12}\.[0-9]{1,12}\Z")
_REQUEST_KEY = re.compile(r"^[A-Za-z0-9._-]{1,64}$")  # trigger ids and view ids, as Slack makes them
_KEYWORD_FORM = re.compile(r"^([A-Za-z][A-Za-z_-]{0,19})\s*:\s*(.*)$", re.DOTALL)


class InvalidReport(Exception):
    """The report cannot be stored as it is. `problems` maps each FlagReport field at fault to one sentence saying
    how to fix it (a form shows each beside its field); the message and `field` are the first of them."""

    def __init__(self, problems: dict[str, str]) -> None:
        field, message = next(iter(problems.items()))
        super().__init__(message)
        self.field = field
        self.problems = problems


class FlagNotFound(Exception):
    """No such flag in this workspace (withdrawn already, or an id from elsewhere)."""


class NotYourFlag(Exception):
    """Only the reporter may edit, release or withdraw a flag."""


class AlreadyReleased(Exception):
    """The flag is not held (any more): leads already see it."""


class FlagNotSaved(StorageUnavailable):
    """The database refused or could not be reached; the reporter's input must be given back to them."""


class AgreementChanged(Exception):
    """The agreement a report was read against is no longer the workspace's (a clause was added, edited, retired or
    restored since): nothing was stored; read the report again against the current one."""


AGREEMENT_READS = 3  # a clause changed while a flag was being stored, twice over: say it was not saved


@dataclass(frozen=True)
class InlineFlag:
    keyword: str | None  # None: no keyword typed (the agreement's default clause)
    summary: str


@dataclass(frozen=True)
class UsageRequest:
    """The reporter asked for help, or typed a keyword with nothing after it (`problem` says so)."""

    problem: str | None = None


@dataclass(frozen=True)
class AgreementRequest:
    """`/deadline-flag agreement`: the reporter asked what was agreed."""


@dataclass(frozen=True)
class FlagReport:
    """A flag as the reporter gave it, from any entry point (the inline command, the form after a shortcut or from
    Home), before check_report says whether it can be stored. Form fields come as picked: a date as YYYY-MM-DD."""

    team_id: str
    reporter_id: str
    keyword: str | None  # the clause it says was not kept; None: the agreement's default (`deadline`)
    summary: str
    name_reporter: bool = False
    source_text: str | None = None
    source_user_id: str | None = None
    date_demanded: date | str | None = None
    external_constraint: str | None = None
    # The form's answer to "is there a real external constraint?": True needs the constraint said, False drops any
    # text typed before the choice; None (inline) lets the text alone say.
    claims_constraint: bool | None = None
    channel_id: str | None = None
    message_ts: str | None = None
    # The command's trigger_id or the modal's view id: the same delivery twice stores one flag.
    request_key: str | None = None


@dataclass(frozen=True)
class InlineOutcome:
    """What `/deadline-flag text` came to: a stored flag, or help, or the agreement, read against `agreement`."""

    agreement: Agreement
    request: InlineFlag | UsageRequest | AgreementRequest
    recorded: RecordedFlag | None = None  # the flag stored, for an InlineFlag


@dataclass(frozen=True)
class RecordedFlag:
    id: int  # internal: button values and lookups; users see `number`
    team_id: str
    clause: Clause
    summary: str
    status: str
    created_at: datetime
    reporter_named: bool
    reporter_user_id: str | None  # only when the reporter chose to be named
    source_text: str | None
    source_user_id: str | None
    date_demanded: date | None
    external_constraint: str | None
    channel_id: str | None
    message_ts: str | None
    permalink: str | None
    status_reason: str | None = None
    resolved_at: datetime | None = None
    number: int | None = None  # the workspace's own count: "#12" in everything users see; None while held
    released_at: datetime | None = None  # when leads could first see it; None while held
    # While held: how many different people the workspace waits for (its min_reporters), to tell the reporter why.
    held_until: int | None = None
    constraint_verdict: str | None = None  # a lead's review of the claimed constraint: "confirmed", "not_confirmed"

    @property
    def held(self) -> bool:
        return self.released_at is None


def parse_inline(text: str, agreement: Agreement) -> InlineFlag | UsageRequest | AgreementRequest:
    """Read `/deadline-flag [keyword:] text`. Without a keyword the flag goes under the agreement's default clause.

    Only the workspace's keywords (active or retired) are keywords: `Re: billing`, `CEO: ship it` or a leading URL
    are the flag's text. A retired keyword is kept, so that record_flag can say it was retired.
    """
    text = text.strip()
    if text.lower() in HELP_WORDS:
        return UsageRequest()
    if text.lower() == "agreement":
        return AgreementRequest()
    match = _KEYWORD_FORM.match(text)
    clause = agreement.clause(match.group(1)) if match else None
    # "deadline://…" is a link, not the keyword.
    if match is None or clause is None or match.group(2).startswith("//"):
        return InlineFlag(None, text)
    rest = match.group(2).strip()
    if not rest:
        return UsageRequest(problem=f"Add what was asked after `{clause.keyword}:`.")
    return InlineFlag(clause.keyword, rest)


def check_report(report: FlagReport, agreement: Agreement, *, kept: Clause | None = None) -> dict[str, str]:
    """{FlagReport field: how to fix it} for everything that keeps the report from being stored; empty when it can be.
    The one check, whoever gives the report: the inline command, and the flag form (each problem beside its field).
    `kept`: the clause an edited flag has now, which it may keep even once retired."""
    problems: dict[str, str] = {}
    if not _SLACK_ID.match(report.team_id):
        problems["team_id"] = "This request came without a workspace, so there is nowhere to file it."
    if not _SLACK_ID.match(report.reporter_id):
        # Without a user id, anyone else without one could edit or withdraw the flag.
        problems["reporter_id"] = "This request came without a user, so the flag could not be yours alone."
    clause = _clause(report, agreement)
    if clause is None:
        problems["keyword"] = "Pick one of the listed clauses."
    elif not clause.active and (kept is None or clause.id != kept.id):
        problems["keyword"] = (
            f"`{clause.keyword}` was retired from this workspace's agreement: flag it under another keyword "
            "(`/deadline-flag help` lists them)."
        )
    if report.source_user_id is not None and not _SLACK_ID.match(report.source_user_id):
        problems["source_user_id"] = "Pick the person from the list."
    if not report.summary.strip():
        problems["summary"] = "Add a few words about what was asked for."
    elif len(report.summary) > SUMMARY_MAX:
        problems["summary"] = (
            f"That is {len(report.summary):,} characters; a flag holds at most {SUMMARY_MAX:,}. Shorten it and try again."
        )
    if report.source_text and len(report.source_text) > SOURCE_MAX:
        problems["source_text"] = f"Keep who/where it came from under {SOURCE_MAX} characters."
    if isinstance(report.date_demanded, str) and _date(report.date_demanded) is None:
        problems["date_demanded"] = "That date could not be read; pick it from the calendar."
    if report.claims_constraint and not report.external_constraint:
        problems["external_constraint"] = "Say what the external constraint is, or choose 'None known'."
    elif report.external_constraint and len(report.external_constraint) > CONSTRAINT_MAX:
        problems["external_constraint"] = f"Keep the external constraint under {CONSTRAINT_MAX} characters."
    return problems


def validate(report: FlagReport, agreement: Agreement, *, kept: Clause | None = None) -> Clause:
    """The clause the report names, or InvalidReport (every problem check_report finds)."""
    if problems := check_report(report, agreement, kept=kept):
        raise InvalidReport(problems)
    clause = _clause(report, agreement)
    assert clause is not None
    return clause


def _clause(report: FlagReport, agreement: Agreement) -> Clause | None:
    return agreement.default if report.keyword is None else agreement.clause(report.keyword)


def _date(value: date | str | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def storable(report: FlagReport) -> FlagReport:
    """The report as the database can hold it: text without NULs or lone surrogates (PostgreSQL refuses both;
    nobody types one), a request key only in Slack's id form, and no link to the source message unless its
    channel and ts are in Slack's forms (the flag is stored either way)."""
    if report.channel_id is None or report.message_ts is None:
        linked = False
    else:
        # Never a DM's (D…): a conversation of two says who flagged. Group DMs are kept out where the shortcut reads
        # the conversation (their ids look like any channel's).
        linked = bool(
            _SLACK_ID.match(report.channel_id)
            and _MESSAGE_TS.match(report.message_ts)
            and not report.channel_id.startswith("D")
        )
    key = report.request_key if report.request_key and _REQUEST_KEY.match(report.request_key) else None
    return replace(
        report,
        summary=_clean(report.summary),
        source_text=report.source_text and _clean(report.source_text),
        # "None known" chosen after typing a constraint: the choice wins.
        external_constraint=None
        if report.claims_constraint is False
        else report.external_constraint and _clean(report.external_constraint),
        channel_id=report.channel_id if linked else None,
        message_ts=report.message_ts if linked else None,
        request_key=key,
    )


def _clean(text: str) -> str:
    return text.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")


def record_inline(
    db: sessionmaker[Session],
    agreements: AgreementCache,
    text: str,
    *,
    team_id: str,
    reporter_id: str,
    request_key: str | None,
    reporter_key: bytes,
    now: datetime | None = None,
) -> InlineOutcome:
    """`/deadline-flag [keyword:] text`: the flag stored (InvalidReport, FlagNotSaved otherwise), or the help or
    agreement asked for. The keyword is read against the agreement this process last read for the workspace; if
    a clause changed since, the flag's lock says so, nothing is stored, and the text is read again against the
    agreement as it is now."""
    agreement, fresh = _cached_agreement(db, agreements, team_id), False
    for _ in range(AGREEMENT_READS):
        request = parse_inline(text, agreement)
        if not isinstance(request, InlineFlag):
            # Help and the agreement are asked for rarely: answered from the agreement as stored now.
            agreement = agreement if fresh else _fresh_agreement(db, agreements, team_id)
            return InlineOutcome(agreement, parse_inline(text, agreement))
        report = FlagReport(
            team_id=team_id,
            reporter_id=reporter_id,
            keyword=request.keyword,
            summary=request.summary,
            request_key=request_key,
        )
        try:
            recorded = record_flag(db, report, reporter_key=reporter_key, now=now, agreement=agreement)
            return InlineOutcome(agreement, request, recorded)
        except InvalidReport as problem:
            if fresh or "keyword" not in problem.problems:
                raise
            # Refused for its clause (retired, say) by a cached agreement: perhaps restored since. Ask the database.
        except AgreementChanged:
            pass
        agreement, fresh = _fresh_agreement(db, agreements, team_id), True
    raise FlagNotSaved("The agreement kept changing while the flag was being saved.")


def _cached_agreement(db: sessionmaker[Session], agreements: AgreementCache, team_id: str) -> Agreement:
    try:
        return agreements.cached(db, team_id=team_id)
    except StorageUnavailable as failure:
        raise FlagNotSaved("The flag could not be saved.") from failure.__cause__


def _fresh_agreement(db: sessionmaker[Session], agreements: AgreementCache, team_id: str) -> Agreement:
    try:
        return agreements.read(db, team_id=team_id)
    except StorageUnavailable as failure:
        raise FlagNotSaved("The flag could not be saved.") from failure.__cause__


def record_flag(
    db: sessionmaker[Session],
    report: FlagReport,
    *,
    reporter_key: bytes,
    now: datetime | None = None,
    agreement: Agreement | None = None,
) -> RecordedFlag:
    """Store one flag under its clause. The transaction is over before we return, so callers get plain data.

    `agreement`: the one the caller read the report against (record_inline); AgreementChanged if it is no longer
    the workspace's. Without it, the agreement is read here, and read again should a clause change meanwhile.
    A report whose request_key is already stored is a retried delivery: the flag stored then is returned.
    """
    report = storable(report)
    if agreement is not None:
        return _record_against(db, report, agreement, reporter_key, now)
    for _ in range(AGREEMENT_READS):
        try:
            return _record_against(db, report, _agreement(db, report.team_id), reporter_key, now)
        except AgreementChanged:
            continue
    raise FlagNotSaved("The agreement kept changing while the flag was being saved.")


def _record_against(
    db: sessionmaker[Session], report: FlagReport, agreement: Agreement, reporter_key: bytes, now: datetime | None
) -> RecordedFlag:
    clause = validate(report, agreement)
    try:
        return _insert_flag(db, report, agreement, clause, reporter_key, now)
    except IntegrityError:
        if report.request_key is None:
            raise FlagNotSaved("The flag could not be saved.") from None
        with _storing(), db() as session:
            row = flag_store.get_flag_by_request_key(session, team_id=report.team_id, request_key=report.request_key)
            if row is None:
                raise FlagNotSaved("The flag could not be saved.") from None
            return _recorded(session, row)


def _insert_flag(
    db: sessionmaker[Session],
    report: FlagReport,
    agreement: Agreement,
    clause: Clause,
    reporter_key: bytes,
    now: datetime | None,
) -> RecordedFlag:
    """The flag's one transaction: lock, insert, count the held pool (and release it if it is now enough), commit.
    Written to take few round trips (PostgreSQL: the pool's ping, BEGIN, two statements, COMMIT): each cost
    about as much CPU as the rest of the request's own work. On a Core connection, not an ORM session: every
    statement is Core, and the session's own bookkeeping cost a fifth of the flag's CPU (benchmarks/profile_flag.py)."""
    now = now or datetime.now(UTC)
    hashed = reporter_hash(reporter_key, team_id=report.team_id, user_id=report.reporter_id)
    contact = seal_contact(reporter_key, report.reporter_id)  # before the lock: the lock is held for no CPU work
    released_at = now if report.name_reporter else None  # named flags are never held
    summary = report.summary.strip()
    with _storing(), engine_of(db).begin() as connection:  # commits on success, rolls back on any exception
        # First, so that two flags written at once are counted one after the other (bot/domain/holding.py); it also
        # says whether the agreement the report was read against is still the workspace's.
        if flag_store.lock_flag_counter(connection, team_id=report.team_id) != agreement.revision:
            raise AgreementChanged
        # What the row and the receipt say alike, as the report gave it.
        given = dict(
            reporter_user_id=report.reporter_id if report.name_reporter else None,
            source_text=report.source_text,
            source_user_id=report.source_user_id,
            date_demanded=_date(report.date_demanded),
            external_constraint=report.external_constraint,
            channel_id=report.channel_id,
            message_ts=report.message_ts,
        )
        stored = flag_store.insert_flag(
            connection,
            team_id=report.team_id,
            clause_id=clause.id,
            summary=summary,
            reporter_hash=hashed,
            reporter_contact=contact,
            created_at=now,
            released_at=released_at,
            request_key=report.request_key[:64] if report.request_key else None,
            count_held=released_at is None,
            **given,
        )
        recorded = RecordedFlag(
            id=stored.id,
            team_id=report.team_id,
            clause=clause,
            summary=summary,
            status="open",
            created_at=now,
            reporter_named=report.name_reporter,
            permalink=None,
            number=stored.number,
            released_at=released_at,
            **given,
        )
        if released_at is not None:
            return recorded
        counted = (stored.held_reporters or 0, stored.min_reporters)
        pool = holding.release_pool_if_enough(connection, team_id=report.team_id, now=now, counted=counted)
        if pool.released:
            return replace(recorded, number=pool.numbers[stored.id], released_at=now)  # with the batch it completed
        return replace(recorded, held_until=pool.min_reporters)


def update_flag(
    db: sessionmaker[Session], flag_id: int, report: FlagReport, *, reporter_key: bytes, now: datetime | None = None
) -> RecordedFlag:
    """Replace what the reporter can edit (not where it came from: channel, message, permalink stay). A flag under a
    clause retired since may keep it; it cannot move to another retired one. A held flag whose reporter now chooses
    to be named is released, alone: named flags are never held."""
    report = storable(report)
    agreement = _agreement(db, report.team_id)
    with _storing(), db.begin() as session:
        flag_store.lock_flag_counter(session, team_id=report.team_id)
        row = _own_flag(session, report.team_id, flag_id, report.reporter_id, reporter_key)
        clause = validate(report, agreement, kept=to_clause(row.clause))
        row.clause_id = clause.id
        row.summary = report.summary.strip()
        row.source_text = report.source_text
        row.source_user_id = report.source_user_id
        row.date_demanded = _date(report.date_demanded)
        row.external_constraint = report.external_constraint
        row.reporter_named = report.name_reporter
        row.reporter_user_id = report.reporter_id if report.name_reporter else None
        if report.name_reporter:
            holding.release_alone(session, row, now=now or datetime.now(UTC))
        return replace(_recorded(session, row), clause=clause)


def release_own_flag(
    db: sessionmaker[Session], *, team_id: str, flag_id: int, reporter_id: str, reporter_key: bytes, now: datetime
) -> RecordedFlag:
    """ "Release mine now": the reporter's own held flag is shown to leads at once, alone (they accept the risk).
    FlagNotFound, NotYourFlag, or AlreadyReleased when leads already see it."""
    with _storing(), db.begin() as session:
        flag_store.lock_flag_counter(session, team_id=team_id)
        row = _own_flag(session, team_id, flag_id, reporter_id, reporter_key)
        if row.released_at is not None:
            raise AlreadyReleased(f"Flag #{row.number} is already visible to leads.")
        holding.release_alone(session, row, now=now)
        return _recorded(session, row)


def withdraw_flag(
    db: sessionmaker[Session], *, team_id: str, flag_id: int, reporter_id: str, reporter_key: bytes
) -> int | None:
    """Delete the reporter's own flag, at once and for good; its number, to say which one went (None: it was held)."""
    with _storing(), db.begin() as session:
        # A withdrawn flag no longer counts toward its workspace's pool: not while a flag is being counted.
        flag_store.lock_flag_counter(session, team_id=team_id)
        row = _own_flag(session, team_id, flag_id, reporter_id, reporter_key)
        flag_store.delete_flag(session, row)
        return row.number


def get_own_flag(
    db: sessionmaker[Session], *, team_id: str, flag_id: int, reporter_id: str, reporter_key: bytes
) -> RecordedFlag:
    """The reporter's own flag, to prefill the edit form; FlagNotFound or NotYourFlag otherwise."""
    with storage_errors(), db() as session:
        return _recorded(session, _own_flag(session, team_id, flag_id, reporter_id, reporter_key))


def set_permalink(db: sessionmaker[Session], *, team_id: str, flag_id: int, permalink: str) -> None:
    """Attach the source message's link once Slack has given it (after the flag is already safe), only to a flag
    whose source conversation was kept: never a DM's (storable() kept none)."""
    with db.begin() as session:
        row = flag_store.get_flag(session, team_id=team_id, flag_id=flag_id)
        if row is not None and row.channel_id is not None and f"/archives/{row.channel_id}/" in permalink:
            row.permalink = permalink[:1000]


def _agreement(db: sessionmaker[Session], team_id: str) -> Agreement:
    try:
        return agreement_of(db, team_id=team_id)
    except StorageUnavailable as failure:
        raise FlagNotSaved("The flag could not be saved.") from failure.__cause__


GONE = "That flag no longer exists: it was withdrawn, or is not from this workspace."


def visible_flag(session: Session, *, team_id: str, flag_number: int) -> Flag:
    """The flag leads know as #`flag_number`, for a lead to act on. A held flag has no number, so it is not found
    either: leads cannot act on (or learn anything of) what they may not see."""
    # Past the column's range PostgreSQL refuses the query, and SQLite's driver cannot even send it: no such flag.
    in_range = 0 < flag_number <= FLAG_ID_MAX
    row = flag_store.get_visible_flag(session, team_id=team_id, number=flag_number) if in_range else None
    if row is None:
        raise FlagNotFound(GONE)
    return row


def _own_flag(session: Session, team_id: str, flag_id: int, reporter_id: str, reporter_key: bytes) -> Flag:
    # Past the column's range PostgreSQL refuses the query, and SQLite's driver cannot even send it: no such flag.
    row = flag_store.get_flag(session, team_id=team_id, flag_id=flag_id) if 0 < flag_id <= FLAG_ID_MAX else None
    if row is None:
        raise FlagNotFound(GONE)
    expected = reporter_hash(reporter_key, team_id=team_id, user_id=reporter_id)
    if not hmac.compare_digest(row.reporter_hash, expected):
        raise NotYourFlag("Only the person who flagged this can change, release or withdraw it.")
    return row


@contextmanager
def _storing() -> Iterator[None]:
    """Turn a database failure into FlagNotSaved, so surfaces can give the reporter's input back."""
    try:
        yield
    except IntegrityError:
        raise  # a retried delivery (request_key), which record_flag answers with the flag already stored
    except SQLAlchemyError as error:
        raise FlagNotSaved("The flag could not be saved.") from error


def _recorded(session: Session, row: Flag) -> RecordedFlag:
    """The reporter's view of their flag: while it is held, how many different people its workspace waits for."""
    if row.released_at is not None:
        return to_recorded(row)
    return replace(to_recorded(row), held_until=holding.min_reporters_of(session, team_id=row.team_id))


def to_recorded(row: Flag) -> RecordedFlag:
    return RecordedFlag(
        id=row.id,
        team_id=row.team_id,
        clause=to_clause(row.clause),
        summary=row.summary,
        status=row.status,
        created_at=row.created_at,
        reporter_named=row.reporter_named,
        reporter_user_id=row.reporter_user_id if row.reporter_named else None,
        source_text=row.source_text,
        source_user_id=row.source_user_id,
        date_demanded=row.date_demanded,
        external_constraint=row.external_constraint,
        channel_id=row.channel_id,
        message_ts=row.message_ts,
        permalink=row.permalink,
        status_reason=row.status_reason,
        resolved_at=row.resolved_at,
        number=row.number,
        released_at=row.released_at,
        constraint_verdict=row.constraint_verdict,
    )
