"""The migrations build exactly the schema the models describe, and can be undone."""

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from bot.db.migrate import alembic_config
from bot.db.slack_stores import SCHEMA_METADATA, STORES_METADATA


def test_migrated_schema_matches_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SCHEMA_METADATA)  # type: ignore[arg-type]  # a list works, as in env.py

    assert differences == []


def test_every_workspace_table_has_a_non_null_indexed_team_id(engine: Engine) -> None:
    # Read from the database the migrations built, not from the models: a migration that left team_id nullable
    # must fail here. slack_sdk's tables are its own (their team_id is empty for an org-wide install).
    inspector = inspect(engine)
    ours = set(inspector.get_table_names()) - set(STORES_METADATA.tables) - {"alembic_version"}
    checked = []
    for table in sorted(ours):
        nullable = {column["name"]: column["nullable"] for column in inspector.get_columns(table)}
        if "team_id" not in nullable:
            continue
        assert nullable["team_id"] is False, table
        # An index, a unique constraint or the primary key that starts with team_id serves team-scoped queries.
        leading = [ix["column_names"][0] for ix in inspector.get_indexes(table)]
        leading += [uq["column_names"][0] for uq in inspector.get_unique_constraints(table)]
        leading += inspector.get_pk_constraint(table)["constrained_columns"][:1]
        assert "team_id" in leading, table
        checked.append(table)

    assert {"flags", "digest_runs", "workspace_uninstalls"} <= set(checked)


def test_downgrade_to_base_and_back_up(database_url: str, engine: Engine) -> None:
    config = alembic_config(database_url)

    command.downgrade(config, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    command.upgrade(config, "head")

    assert {"flags", "workspace_uninstalls", "slack_installations", "slack_bots", "slack_oauth_states"} <= set(
        inspect(engine).get_table_names()
    )


def test_upgrading_forgets_the_dm_sources_of_flags_stored_before(database_url: str, engine: Engine) -> None:
    config = alembic_config(database_url)
    command.downgrade(config, "0007")
    insert = text(
        "INSERT INTO flags (team_id, category, summary, channel_id, message_ts, permalink, reporter_hash, reporter_named,"
        " status, created_at) VALUES ('T1', 'other', :summary, :channel, '1.2', :link, 'h', false, 'open', :at)"
    )
    with engine.begin() as connection:
        for summary, channel in (("dm", "D0DM"), ("channel", "C0PUB")):
            link = f"https://example.slack.com/archives/{channel}/p12"
            connection.execute(insert, {"summary": summary, "channel": channel, "link": link, "at": "2026-11-01 10:00:00"})

    command.upgrade(config, "head")

    with engine.connect() as connection:
        rows = connection.execute(text("SELECT summary, channel_id, message_ts, permalink FROM flags ORDER BY summary"))
        assert [tuple(row) for row in rows] == [
            ("channel", "C0PUB", "1.2", "https://example.slack.com/archives/C0PUB/p12"),
            ("dm", None, None, None),
        ]


CATEGORIES = {
    "artificial_deadline": "deadline",
    "feature_not_problem": "feature",
    "no_seat_at_the_table": "seat",
    "remedial_work_squeezed": "remedial",
    "priorities_outside_backlog": "priorities",
    "other": "other",
}


def flags_under_categories(engine: Engine) -> None:
    """Flags of every category in T1 and T2 as the schema before the agreement stored them, and T3 with settings only."""
    insert = text(
        "INSERT INTO flags (team_id, number, category, summary, reporter_hash, reporter_named, status, created_at)"
        " VALUES (:team, :number, :category, :summary, 'h', false, 'open', '2026-11-01 10:00:00')"
    )
    with engine.begin() as connection:
        for team in ("T1", "T2"):
            for number, category in enumerate(CATEGORIES, start=1):
                connection.execute(insert, {"team": team, "number": number, "category": category, "summary": category})
        connection.execute(text("INSERT INTO workspace_settings (team_id, updated_at) VALUES ('T3', '2026-11-01 10:00:00')"))


def test_upgrading_gives_every_workspace_the_default_agreement_and_keeps_each_flag_under_its_categorys_clause(
    database_url: str, engine: Engine
) -> None:
    config = alembic_config(database_url)
    command.downgrade(config, "0013")
    flags_under_categories(engine)

    command.upgrade(config, "head")

    with engine.connect() as connection:
        flags = connection.execute(
            text(
                "SELECT flags.team_id, summary, keyword, agreement_clauses.team_id FROM flags"
                " JOIN agreement_clauses ON agreement_clauses.id = flags.clause_id"
            )
        ).all()
        clauses = dict(connection.execute(text("SELECT team_id, COUNT(*) FROM agreement_clauses GROUP BY team_id")).all())
    assert sorted(flags) == sorted(
        (team, category, keyword, team) for team in ("T1", "T2") for category, keyword in CATEGORIES.items()
    )
    assert clauses == {"T1": 13, "T2": 13, "T3": 13}


def test_downgrading_gives_each_flag_its_category_back(database_url: str, engine: Engine) -> None:
    config = alembic_config(database_url)
    command.downgrade(config, "0013")
    flags_under_categories(engine)
    command.upgrade(config, "head")

    command.downgrade(config, "0013")

    with engine.connect() as connection:
        rows = connection.execute(text("SELECT summary, category FROM flags")).all()
    command.upgrade(config, "head")  # PostgreSQL's schema is shared by the tests that follow
    assert sorted(rows) == sorted((category, category) for team in ("T1", "T2") for category in CATEGORIES)
