"""SQLAlchemy 2 models. Every table that holds workspace data carries `team_id`, NOT NULL and indexed.

A model change comes with its Alembic revision in `migrations/versions/` (`alembic check` runs in CI).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    true,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Named constraints, so migrations can refer to them on every backend (SQLite batch mode needs names).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is always timezone-aware UTC in Python, on SQLite (which drops the zone) as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("refusing a naive datetime: pass an aware UTC datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class AgreementClause(Base):
    """One clause of a workspace's working agreement: what is agreed, and whose responsibility it is (its side).

    Never deleted but with its workspace (a retired clause keeps its flags); the keyword never changes."""

    __tablename__ = "agreement_clauses"
    __table_args__ = (UniqueConstraint("team_id", "keyword"),)  # unique in a workspace, active or retired

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))  # indexed first in the unique constraint
    keyword: Mapped[str] = mapped_column(String(20))  # `/deadline-flag keyword: ...`
    side: Mapped[str | None] = mapped_column(String(8))  # "product" or "tech"; NULL: `other`, on neither side
    title: Mapped[str] = mapped_column(String(75))  # Slack's option text
    description: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class Flag(Base):
    """One flagged request: a clause of the working agreement that was not kept (an artificial deadline, a feature
    handed over instead of a problem, work declined without the estate's reason...)."""

    __tablename__ = "flags"
    __table_args__ = (
        # Retention and the operator's export read one workspace's flags by when they were stored.
        Index("ix_flags_team_id_created_at", "team_id", "created_at", "clause_id"),
        # "My flags": a reporter finds their own flags by the keyed hash of their user id.
        Index("ix_flags_team_id_reporter_hash", "team_id", "reporter_hash"),
        # The digest's outcomes: flags still open (and for how long since their release), and resolutions in a period.
        Index("ix_flags_team_id_status_released_at", "team_id", "status", "released_at"),
        Index("ix_flags_team_id_resolved_at", "team_id", "resolved_at"),
        # The digest and the Home tab read the flags leads may see by release time (bot.db.flags.visible_to_leads);
        # with the clause in the index, the digest's GROUP BY is answered from the index alone.
        Index("ix_flags_team_id_released_at", "team_id", "released_at", "clause_id"),
        # A retried delivery of the same command or modal submission finds the flag it already created.
        UniqueConstraint("team_id", "request_key"),
        UniqueConstraint("team_id", "number"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # internal (buttons, history rows), never shown
    team_id: Mapped[str] = mapped_column(String(32))
    # What users see as "#12": counted per workspace (FlagCounter), so a number says nothing of other workspaces.
    # Given when the flag is released (NULL while held), in a shuffled order within a batch: a number says nothing
    # of the order in which a batch's flags were written.
    number: Mapped[int | None] = mapped_column(Integer)
    # The clause the flag says was not kept, always of the flag's own workspace; loaded with the flag.
    clause_id: Mapped[int] = mapped_column(ForeignKey("agreement_clauses.id"))
    clause: Mapped[AgreementClause] = relationship(lazy="joined", innerjoin=True)
    summary: Mapped[str] = mapped_column(Text)  # what was asked, in the reporter's words
    source_text: Mapped[str | None] = mapped_column(String(500))  # who/where it came from, free text
    source_user_id: Mapped[str | None] = mapped_column(String(32))  # ... or as a Slack user
    date_demanded: Mapped[date | None] = mapped_column(Date)
    external_constraint: Mapped[str | None] = mapped_column(String(500))  # NULL: no real constraint known
    channel_id: Mapped[str | None] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))
    permalink: Mapped[str | None] = mapped_column(String(1000))
    # Always an HMAC of the reporter's user id, so they can find and withdraw their flags; the plain id is
    # kept only when the reporter chose to be named.
    reporter_hash: Mapped[str] = mapped_column(String(64))
    reporter_user_id: Mapped[str | None] = mapped_column(String(32))
    reporter_named: Mapped[bool] = mapped_column(Boolean, default=False)
    # Where to DM the reporter about the outcome: their user id, Fernet-encrypted with a key derived from
    # REPORTER_KEY (never stored here), so the database alone still does not say who flagged what.
    reporter_contact: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(20), default="open")
    status_reason: Mapped[str | None] = mapped_column(String(300))  # "not an issue" may say why
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # set on resolved / not an issue
    # A lead's last word on the reporter's claim of a real external constraint: "confirmed", "not_confirmed", or
    # NULL (not reviewed). Every review is kept in flag_constraint_reviews.
    constraint_verdict: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When leads could first see the flag; NULL while it is held (bot/domain/holding.py). A batch released together
    # shares one time, so it says nothing of who wrote first. Named flags are released as they are stored.
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    request_key: Mapped[str | None] = mapped_column(String(64))  # the command's trigger_id or the modal's view id


# The flags the leads' "real constraints" figures read; few next to all flags, so a partial index finds them.
DATED_OR_CLAIMED: ColumnElement[bool] = Flag.date_demanded.is_not(None) | Flag.external_constraint.is_not(None)
Index(
    "ix_flags_dated_or_claimed",
    Flag.team_id,
    Flag.released_at,
    postgresql_where=DATED_OR_CLAIMED,
    sqlite_where=DATED_OR_CLAIMED,
)


class FlagDayCount(Base):
    """How many of a workspace's released flags were released on one UTC day, under one clause, and are in one status
    now: what the digest and the leads' figures count, kept beside the flags so that counting a period reads a row
    per day and clause instead of every flag (bot.db.counts).

    Kept by triggers on `flags` (migration 0016: every INSERT, DELETE and UPDATE of team_id, released_at, clause_id
    or status, whoever issues it, in the same transaction), so no code path can forget it;
    tests/test_flag_day_counts.py compares it with a recount after random writes, releases, edits, status changes,
    withdrawals and purges.
    """

    __tablename__ = "flag_day_counts"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)  # of released_at, in UTC
    clause_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(20), primary_key=True)
    flags: Mapped[int] = mapped_column(Integer)


class FlagCounter(Base):
    """The last flag number handed out in a workspace. Incremented in the flag's own transaction by one upsert,
    which PostgreSQL serialises on the row and SQLite on its write lock; a withdrawn number is never reused."""

    __tablename__ = "flag_counters"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)
    # A random token, new with every change to the workspace's agreement (bot.domain.agreement). It lives on the row
    # every flag locks first, so the lock also says whether the agreement a process cached is still the workspace's:
    # no read of the clauses per flag. Random, not a count: a purge deletes this row, and a count would start again
    # at a value some process still holds. NULL until the agreement is first read after this column was added.
    agreement_revision: Mapped[str | None] = mapped_column(String(32))


class WorkspaceSettings(Base):
    """Per-workspace choices; a missing row or NULL column means "use the deployment's default"."""

    __tablename__ = "workspace_settings"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    digest_channel: Mapped[str | None] = mapped_column(String(32))
    digest_weekday: Mapped[int | None] = mapped_column(Integer)  # 0 = Monday, as datetime.weekday()
    digest_hour: Mapped[int | None] = mapped_column(Integer)  # 0-23, in `timezone`
    timezone: Mapped[str | None] = mapped_column(String(64))  # IANA name, e.g. Europe/Paris
    retention_days: Mapped[int | None] = mapped_column(Integer)  # flags older than this are deleted (default 365)
    # Anonymous flags are held until this many different people have flagged (default 3; 1 = off).
    min_reporters: Mapped[int | None] = mapped_column(Integer)
    # A digest channel shared with another organisation (Slack Connect) is used only once an admin said so.
    digest_channel_shared_ok: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str | None] = mapped_column(String(32))  # the admin who last saved them on Home (the CLI: NULL)


class DigestRun(Base):
    """One workspace's digest for one ISO week. The unique (team, week) row is claimed before posting, so two
    clock processes, a re-run or a restart cannot post the same week twice."""

    __tablename__ = "digest_runs"
    __table_args__ = (UniqueConstraint("team_id", "iso_week"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))  # indexed first in the unique constraint
    iso_week: Mapped[str] = mapped_column(String(8))  # "2026-W48", in the workspace's timezone at send time
    # "claimed" (nothing posted yet), "posting" (a message may be out: the summary is never posted again without
    # --force), "posted", "unsure" (the summary may or may not be out, and nobody will know: never posted again
    # without --force), or "failed" (the channel cannot be used: retried when the settings change). A run left
    # "claimed" or "posting" by a process that died is taken over by the next one to hold the week's lock.
    status: Mapped[str] = mapped_column(String(16))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failure: Mapped[str | None] = mapped_column(String(300))  # why, in a sentence an admin can act on
    channel_id: Mapped[str | None] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))  # the summary message: its thread holds the flags
    # The period the posted message covers, so it can be redrawn in place when a lead changes an outcome.
    period_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    period_end: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DigestMessage(Base):
    """One message the app posted for a digest run: the summary (part 0) or a reply in its thread listing flags."""

    __tablename__ = "digest_messages"
    __table_args__ = (UniqueConstraint("team_id", "channel_id", "message_ts"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))  # indexed first in the unique constraint
    digest_run_id: Mapped[int] = mapped_column(ForeignKey("digest_runs.id", ondelete="CASCADE"), index=True)
    part: Mapped[int] = mapped_column(Integer)
    channel_id: Mapped[str] = mapped_column(String(32))
    message_ts: Mapped[str] = mapped_column(String(32))
    listed: Mapped[int] = mapped_column(Integer)  # flags it listed when posted (fewer remain after withdrawals)


class DigestMessageFlag(Base):
    """A flag listed in a digest message, so a status change or a withdrawal redraws every message that shows it.

    Goes with its flag (withdrawal, retention, purge) or its message."""

    __tablename__ = "digest_message_flags"
    __table_args__ = (Index("ix_digest_message_flags_team_id_flag_id", "team_id", "flag_id"),)

    message_id: Mapped[int] = mapped_column(ForeignKey("digest_messages.id", ondelete="CASCADE"), primary_key=True)
    flag_id: Mapped[int] = mapped_column(ForeignKey("flags.id", ondelete="CASCADE"), primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    position: Mapped[int] = mapped_column(Integer)  # the flag's place in its message


class WorkspaceUninstall(Base):
    """A workspace that uninstalled the app: its data is purged once `uninstalled_at` is older than the grace period.

    Deleted when the workspace installs again (the purge is cancelled) or when its data is purged.
    """

    __tablename__ = "workspace_uninstalls"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), unique=True, index=True)
    uninstalled_at: Mapped[datetime] = mapped_column(UTCDateTime)


class FlagStatusChange(Base):
    """Append-only history of a flag's outcome: who (a lead, by user id), when, from and to which status.

    The reporter is never recorded here. Rows go only with their flag (withdrawal, retention, purge).
    """

    __tablename__ = "flag_status_changes"
    __table_args__ = (Index("ix_flag_status_changes_team_id_changed_at", "team_id", "changed_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    flag_id: Mapped[int] = mapped_column(ForeignKey("flags.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(String(300))
    changed_by: Mapped[str] = mapped_column(String(32))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class FlagConstraintReview(Base):
    """Append-only history of leads' reviews of a flag's claimed external constraint: who (a lead), when, the verdict.

    The reporter is never recorded here. Rows go only with their flag (withdrawal, retention, purge).
    """

    __tablename__ = "flag_constraint_reviews"
    __table_args__ = (Index("ix_flag_constraint_reviews_team_id_reviewed_at", "team_id", "reviewed_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    flag_id: Mapped[int] = mapped_column(ForeignKey("flags.id", ondelete="CASCADE"), index=True)
    from_verdict: Mapped[str | None] = mapped_column(String(20))
    verdict: Mapped[str] = mapped_column(String(20))
    reviewed_by: Mapped[str] = mapped_column(String(32))
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WorkspaceLead(Base):
    """A member who may change flag outcomes, besides the workspace's admins and owners."""

    __tablename__ = "workspace_leads"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)


class ReporterPreference(Base):
    """A reporter's choices, keyed like their flags by the HMAC of their user id."""

    __tablename__ = "reporter_preferences"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    reporter_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    outcome_dms: Mapped[bool] = mapped_column(Boolean, default=True)


class SlackDelivery(Base):
    """An Events API delivery already taken (its event_id), so Slack's retries of it are acknowledged and dropped.

    Kept two days (Slack retries within minutes), then deleted by the clock process.
    """

    __tablename__ = "slack_deliveries"
    __table_args__ = (Index("ix_slack_deliveries_team_id_received_at", "team_id", "received_at"),)

    delivery_key: Mapped[str] = mapped_column(String(100), primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OrgWorkspace(Base):
    """A workspace of an Enterprise Grid org that the org's org-wide installation has served: an org-wide installation
    names no workspace, so this is how the clock, the CLI and an uninstall from the org know the org's workspaces.

    Recorded when a request from the workspace comes through the org's installation; goes with the workspace's data.
    """

    __tablename__ = "org_workspaces"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    enterprise_id: Mapped[str] = mapped_column(String(32), index=True)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
