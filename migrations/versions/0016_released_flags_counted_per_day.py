"""flag_day_counts: the released flags of each workspace counted per UTC day of release, clause and status, kept by
triggers on flags.

The digest and the leads' figures count periods of released flags; with these counts a period costs a row per day
and clause, plus the flags of the (at most two) days its ends cut through, whatever the workspace's history. Triggers,
not the application, keep them: every INSERT, DELETE, and UPDATE of team_id, released_at, clause_id or status changes
them in the same transaction, whoever issues it (the app, the CLI, retention, a purge, an operator's SQL).

SQLite rebuilds a table for most ALTERs (alembic's batch mode), and a rebuilt table has lost its triggers: a later
migration that alters `flags` on SQLite must create them again (`create_triggers` below);
tests/test_flag_day_counts.py checks they are there at head.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KEY = "team_id, day, clause_id, status"

# SQLite keeps DateTime as 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC (bot.db.models.UTCDateTime), so date() is its UTC day.
_SQLITE = [
    f"""
    CREATE TRIGGER flag_day_counts_after_insert AFTER INSERT ON flags WHEN NEW.released_at IS NOT NULL
    BEGIN
        INSERT INTO flag_day_counts ({_KEY}, flags)
        VALUES (NEW.team_id, date(NEW.released_at), NEW.clause_id, NEW.status, 1)
        ON CONFLICT ({_KEY}) DO UPDATE SET flags = flags + 1;
    END
    """,
    """
    CREATE TRIGGER flag_day_counts_after_delete AFTER DELETE ON flags WHEN OLD.released_at IS NOT NULL
    BEGIN
        UPDATE flag_day_counts SET flags = flags - 1
        WHERE team_id = OLD.team_id AND day = date(OLD.released_at) AND clause_id = OLD.clause_id
            AND status = OLD.status;
    END
    """,
    f"""
    CREATE TRIGGER flag_day_counts_after_update AFTER UPDATE OF team_id, released_at, clause_id, status ON flags
    WHEN OLD.team_id IS NOT NEW.team_id OR OLD.released_at IS NOT NEW.released_at
        OR OLD.clause_id IS NOT NEW.clause_id OR OLD.status IS NOT NEW.status
    BEGIN
        UPDATE flag_day_counts SET flags = flags - 1
        WHERE OLD.released_at IS NOT NULL AND team_id = OLD.team_id AND day = date(OLD.released_at)
            AND clause_id = OLD.clause_id AND status = OLD.status;
        INSERT INTO flag_day_counts ({_KEY}, flags)
        SELECT NEW.team_id, date(NEW.released_at), NEW.clause_id, NEW.status, 1 WHERE NEW.released_at IS NOT NULL
        ON CONFLICT ({_KEY}) DO UPDATE SET flags = flags + 1;
    END
    """,
]

# One function for the three events. A change of key takes its two rows in one order (the smaller key first), so two
# status changes at once, each moving a flag the other way between the same two rows, cannot deadlock.
_POSTGRESQL = [
    f"""
    CREATE FUNCTION flag_day_counts_follow() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        old_key text;
        new_key text;
    BEGIN
        IF TG_OP <> 'INSERT' AND OLD.released_at IS NOT NULL THEN
            old_key := concat_ws('|', OLD.team_id, (OLD.released_at AT TIME ZONE 'UTC')::date, OLD.clause_id, OLD.status);
        END IF;
        IF TG_OP <> 'DELETE' AND NEW.released_at IS NOT NULL THEN
            new_key := concat_ws('|', NEW.team_id, (NEW.released_at AT TIME ZONE 'UTC')::date, NEW.clause_id, NEW.status);
        END IF;
        IF old_key IS NOT DISTINCT FROM new_key THEN
            RETURN NULL;
        END IF;
        IF new_key IS NOT NULL AND (old_key IS NULL OR new_key < old_key) THEN
            INSERT INTO flag_day_counts ({_KEY}, flags)
            VALUES (NEW.team_id, (NEW.released_at AT TIME ZONE 'UTC')::date, NEW.clause_id, NEW.status, 1)
            ON CONFLICT ({_KEY}) DO UPDATE SET flags = flag_day_counts.flags + 1;
            new_key := NULL;
        END IF;
        IF old_key IS NOT NULL THEN
            UPDATE flag_day_counts SET flags = flags - 1
            WHERE team_id = OLD.team_id AND day = (OLD.released_at AT TIME ZONE 'UTC')::date
                AND clause_id = OLD.clause_id AND status = OLD.status;
        END IF;
        IF new_key IS NOT NULL THEN
            INSERT INTO flag_day_counts ({_KEY}, flags)
            VALUES (NEW.team_id, (NEW.released_at AT TIME ZONE 'UTC')::date, NEW.clause_id, NEW.status, 1)
            ON CONFLICT ({_KEY}) DO UPDATE SET flags = flag_day_counts.flags + 1;
        END IF;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER flag_day_counts_follow
    AFTER INSERT OR DELETE OR UPDATE OF team_id, released_at, clause_id, status ON flags
    FOR EACH ROW EXECUTE FUNCTION flag_day_counts_follow()
    """,
]

_DAY = {"sqlite": "date(released_at)", "postgresql": "(released_at AT TIME ZONE 'UTC')::date"}


def create_triggers() -> None:
    dialect = op.get_bind().dialect.name
    for statement in _SQLITE if dialect == "sqlite" else _POSTGRESQL:
        op.execute(statement)


def upgrade() -> None:
    op.create_table(
        "flag_day_counts",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("clause_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("flags", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "day", "clause_id", "status", name=op.f("pk_flag_day_counts")),
    )
    day = _DAY[op.get_bind().dialect.name]
    op.execute(
        f"INSERT INTO flag_day_counts ({_KEY}, flags) "
        f"SELECT team_id, {day}, clause_id, status, count(*) FROM flags WHERE released_at IS NOT NULL "
        f"GROUP BY team_id, {day}, clause_id, status"
    )
    create_triggers()


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for event in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER flag_day_counts_after_{event}")
    else:
        op.execute("DROP TRIGGER flag_day_counts_follow ON flags")
        op.execute("DROP FUNCTION flag_day_counts_follow()")
    op.drop_table("flag_day_counts")
