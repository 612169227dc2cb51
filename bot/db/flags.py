"""Queries on the flags table. Every function takes `team_id`: no query reaches across workspaces.

Whatever a lead or a colleague sees goes through `visible_to_leads`: held flags (bot/domain/holding.py) are not in it.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    Connection,
    Executable,
    ScalarSelect,
    and_,
    bindparam,
    func,
    insert,
    null,
    select,
    union,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.db.models import Flag, FlagCounter, WorkspaceSettings

# The statements every flag runs are Core on the table, built once: the ORM's unit of work, and building a
# statement anew, each cost more CPU than the round trip (benchmarks/profile_flag.py). They take a Core connection
# as well as a session (`Executor`): a new flag's transaction runs on a connection (bot.domain.flags._insert_flag).
_FLAGS = Flag.__table__
Executor = Session | Connection


def add_flag(session: Session, **values: Any) -> Flag:
    """Store one flag (insert_flag's keywords) and give back its row, for callers that go on to change it."""
    flag = session.get(Flag, insert_flag(session, **values).id)
    assert flag is not None
    return flag


def insert_flag(
    session: Executor,
    *,
    team_id: str,
    clause_id: int,
    summary: str,
    reporter_hash: str,
    created_at: datetime,
    released_at: datetime | None,
    reporter_user_id: str | None = None,
    reporter_contact: str | None = None,
    source_text: str | None = None,
    source_user_id: str | None = None,
    date_demanded: date | None = None,
    external_constraint: str | None = None,
    channel_id: str | None = None,
    message_ts: str | None = None,
    permalink: str | None = None,
    request_key: str | None = None,
    count_held: bool = False,
) -> StoredFlag:
    """Store one flag, released (with its number) when `released_at` is given, else held (no number yet), by one
    INSERT … RETURNING. count_held (a held flag): also how the held pool stands with it (bot/domain/holding.py), in
    the same statement on PostgreSQL, which saves the flag a round trip; the caller holds the counter lock."""
    number = next_flag_number(session, team_id=team_id) if released_at is not None else None
    values = {
        "team_id": team_id,
        "number": number,
        "clause_id": clause_id,
        "summary": summary,
        "reporter_hash": reporter_hash,
        "reporter_user_id": reporter_user_id,
        "reporter_named": reporter_user_id is not None,
        "reporter_contact": reporter_contact,
        "source_text": source_text,
        "source_user_id": source_user_id,
        "date_demanded": date_demanded,
        "external_constraint": external_constraint,
        "channel_id": channel_id,
        "message_ts": message_ts,
        "permalink": permalink,
        "status": "open",
        "created_at": created_at,
        "released_at": released_at,
        "request_key": request_key,
    }
    if not count_held:
        return StoredFlag(session.execute(_flag_insert(), values).scalar_one(), number)
    assert released_at is None, "only a held flag is in the held pool"
    if _dialect(session) != "postgresql":  # SQLite has no INSERT in a WITH, and no round trip to save
        flag_id = session.execute(_flag_insert(), values).scalar_one()
        return StoredFlag(flag_id, None, *count_held_reporters(session, team_id=team_id))
    return StoredFlag(*session.execute(_held_flag_insert_counted(tuple(values)), values).one())


class StoredFlag(NamedTuple):
    id: int
    number: int | None  # None: held
    held_reporters: int | None = None  # count_held: the different people the held flags come from, this one's too
    min_reporters: int | None = None  # count_held: the workspace's setting (None: the default)


@functools.cache
def _flag_insert() -> Executable:
    return insert(_FLAGS).returning(_FLAGS.c.id)


@functools.cache
def _held_flag_insert_counted(columns: tuple[str, ...]) -> Executable:
    """PostgreSQL: the held flag's INSERT in a WITH, and the pool's count beside it. A statement does not see the rows
    its own WITH wrote, so the new flag's reporter joins the held ones by its RETURNING; the rest of the statement
    sees every flag committed before it began, which is after the counter lock was taken."""
    new_flag = insert(_FLAGS).values({name: bindparam(name) for name in columns})
    new = new_flag.returning(_FLAGS.c.id, _FLAGS.c.reporter_hash).cte("new_flag")
    held = and_(_FLAGS.c.team_id == bindparam("team_id"), _FLAGS.c.released_at.is_(None))
    hashes = union(select(_FLAGS.c.reporter_hash).where(held), select(new.c.reporter_hash)).subquery()  # distinct
    reporters = select(func.count()).select_from(hashes).scalar_subquery()
    return select(new.c.id, null(), reporters, _min_reporters_setting())


def _min_reporters_setting() -> ScalarSelect[Any]:
    return select(WorkspaceSettings.min_reporters).where(WorkspaceSettings.team_id == bindparam("team_id")).scalar_subquery()


def next_flag_number(session: Executor, *, team_id: str) -> int:
    """The workspace's next flag number, taken in the caller's transaction: if the flag is not stored, neither is
    the number. One INSERT … ON CONFLICT DO UPDATE … RETURNING, so two concurrent flags never get the same one."""
    return take_flag_numbers(session, team_id=team_id, count=1)[0]


def take_flag_numbers(session: Executor, *, team_id: str, count: int) -> range:
    """`count` consecutive numbers of the workspace's, in one statement (a released batch takes them all at once)."""
    last, _ = session.execute(_counter_upsert(_dialect(session)), {"team_id": team_id, "count": count}).one()
    return range(last - count + 1, last + 1)


def _dialect(session: Executor) -> str:
    return session.dialect.name if isinstance(session, Connection) else session.get_bind().dialect.name


@functools.cache
def _counter_upsert(dialect: str) -> Executable:
    """Built once per dialect and kind: every flag runs it, and building it cost more CPU than running it."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # On the table, not the ORM class: an ORM insert goes through the bulk-insert machinery, which cost this
    # statement 2.6 ms of CPU of the flag's 5.6, no profiler (PostgreSQL, benchmarks/profile_flag.py).
    counters = FlagCounter.__table__
    stmt = insert(counters).values(team_id=bindparam("team_id"), last_number=bindparam("count"))
    return stmt.on_conflict_do_update(
        index_elements=[counters.c.team_id], set_={"last_number": counters.c.last_number + bindparam("count")}
    ).returning(counters.c.last_number, counters.c.agreement_revision)


def visible_to_leads(team_id: str) -> ColumnElement[bool]:
    """The one condition for "the flags of this workspace that leads may see": released ones (named flags are released
    as they are stored). Every query behind a surface that is not the reporter's own carries it."""
    return and_(Flag.team_id == team_id, Flag.released_at.is_not(None))


def lock_flag_counter(session: Executor, *, team_id: str) -> str | None:
    """Hold the workspace's counter row until the transaction ends: the flags of one workspace that may be released
    or withdrawn are changed one transaction at a time, so no two can each miss the other's reporter. Returns the
    workspace's agreement revision (bot.domain.agreement), which nothing can change while the lock is held."""
    _, revision = session.execute(_counter_upsert(_dialect(session)), {"team_id": team_id, "count": 0}).one()
    return revision


def list_held_flag_ids(session: Executor, *, team_id: str) -> list[int]:
    return list(session.scalars(_held_ids(), {"team_id": team_id}))


def count_held_flags(session: Session, *, team_id: str) -> int:
    stmt = select(func.count()).select_from(Flag).where(Flag.team_id == team_id, Flag.released_at.is_(None))
    return session.scalar(stmt) or 0


def count_held_reporters(session: Executor, *, team_id: str) -> tuple[int, int | None]:
    """How many different people the workspace's held flags come from, and its min_reporters setting (None: the
    default), in one statement: every held flag asks both."""
    return tuple(session.execute(_held_reporters_and_minimum(), {"team_id": team_id}).one())  # type: ignore[return-value]


@functools.cache
def _held_ids() -> Executable:
    held = and_(_FLAGS.c.team_id == bindparam("team_id"), _FLAGS.c.released_at.is_(None))
    return select(_FLAGS.c.id).where(held).order_by(_FLAGS.c.id)


@functools.cache
def _held_reporters_and_minimum() -> Executable:
    held = and_(_FLAGS.c.team_id == bindparam("team_id"), _FLAGS.c.released_at.is_(None))
    return select(func.count(_FLAGS.c.reporter_hash.distinct()), _min_reporters_setting()).where(held)


def release_flags(session: Executor, *, team_id: str, flag_ids: Sequence[int], now: datetime) -> range:
    """Release the held flags `flag_ids` together: one release time, and numbers in the order given (the caller
    shuffles them), in one UPDATE sent for them all; the numbers. A flag that is not held here is an error."""
    numbers = take_flag_numbers(session, team_id=team_id, count=len(flag_ids))
    rows = [
        {"team": team_id, "flag_id": flag_id, "new_number": number, "now": now}
        for flag_id, number in zip(flag_ids, numbers, strict=True)
    ]
    released = session.execute(_release(), rows).rowcount
    assert released == len(flag_ids), "releasing a flag that is not held here"
    return numbers


@functools.cache
def _release() -> Executable:
    one_held = _FLAGS.c.id == bindparam("flag_id"), _FLAGS.c.released_at.is_(None)
    held = and_(_FLAGS.c.team_id == bindparam("team"), *one_held)  # not "team_id": UPDATE keeps column names for SET
    return update(_FLAGS).where(held).values(number=bindparam("new_number"), released_at=bindparam("now"))


def get_flag(session: Session, *, team_id: str, flag_id: int) -> Flag | None:
    # team_id as well as id: an id guessed from another workspace finds nothing.
    return session.scalar(select(Flag).where(Flag.team_id == team_id, Flag.id == flag_id))


def get_flag_by_request_key(session: Session, *, team_id: str, request_key: str) -> Flag | None:
    return session.scalar(select(Flag).where(Flag.team_id == team_id, Flag.request_key == request_key))


def get_visible_flag(session: Session, *, team_id: str, number: int) -> Flag | None:
    """A flag a lead may act on, by the number leads see (a held flag has none, so it is never found)."""
    return session.scalar(select(Flag).where(visible_to_leads(team_id), Flag.number == number))


def list_flags(session: Session, *, team_id: str, since: datetime | None = None, limit: int | None = None) -> list[Flag]:
    """Every flag of the workspace, held ones included, newest first: for the operator and the tests, never a lead."""
    stmt = select(Flag).where(Flag.team_id == team_id).order_by(Flag.created_at.desc(), Flag.id.desc())
    if since is not None:
        stmt = stmt.where(Flag.created_at >= since)
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))


def list_visible_flags(session: Session, *, team_id: str, released_since: datetime | None = None) -> list[Flag]:
    """The flags leads may see, in the order they were released (within a batch, by their shuffled numbers)."""
    stmt = select(Flag).where(visible_to_leads(team_id)).order_by(Flag.released_at, Flag.number)
    if released_since is not None:
        stmt = stmt.where(Flag.released_at >= released_since)
    return list(session.scalars(stmt))


def list_reporter_flags(session: Session, *, team_id: str, reporter_hash: str, limit: int) -> list[Flag]:
    stmt = (
        select(Flag)
        .where(Flag.team_id == team_id, Flag.reporter_hash == reporter_hash)
        .order_by(Flag.created_at.desc(), Flag.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


def count_reporter_flags(session: Session, *, team_id: str, reporter_hash: str) -> int:
    stmt = select(func.count()).select_from(Flag).where(Flag.team_id == team_id, Flag.reporter_hash == reporter_hash)
    return session.scalar(stmt) or 0


def count_flags_by_clause(session: Session, *, team_id: str, since: datetime, until: datetime) -> dict[int, int]:
    """{clause id: count} of the flags leads may see released in [since, until): one GROUP BY on the
    (team_id, released_at, clause_id) index."""
    stmt = (
        select(Flag.clause_id, func.count())
        .where(visible_to_leads(team_id), Flag.released_at >= since, Flag.released_at < until)
        .group_by(Flag.clause_id)
    )
    return {clause_id: count for clause_id, count in session.execute(stmt)}


def delete_flag(session: Session, flag: Flag) -> None:
    session.delete(flag)


def clear_request_keys_before(session: Session, *, before: datetime) -> int:
    """Forget the delivery keys of flags stored before `before`, in every workspace; how many were cleared."""
    stmt = update(Flag).where(Flag.request_key.is_not(None), Flag.created_at < before).values(request_key=None)
    return session.execute(stmt).rowcount
