"""The working agreement, per workspace: clauses on product's and tech's sides, and flags that name one.

Every workspace that already has data gets the default agreement (the clauses as the app shipped them with this
revision), and every flag moves from its category to the clause that category meant: artificial_deadline to
`deadline`, feature_not_problem to `feature`, no_seat_at_the_table to `seat`, remedial_work_squeezed to `remedial`,
priorities_outside_backlog to `priorities`, other to `other`. Downgrading gives the flags their category back
(a clause added since has no category: its flags become `other`).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A copy, not an import: the migration must seed what the app shipped with it, whatever the app says later.
DEFAULT_CLAUSES = (
    (
        "deadline",
        "product",
        "No artificial deadlines",
        "Dates come from a real external constraint, not from the roadmap alone.",
    ),
    ("feature", "product", "Problems, not features", "Product brings the problem to solve, not a solution to build."),
    (
        "seat",
        "product",
        "Tech at the table when the roadmap is shaped",
        "Tech is in the room when the roadmap and its priorities are decided.",
    ),
    (
        "remedial",
        "product",
        "Room for remedial work, done properly",
        "Health and tech-debt work is planned in, not cut, rushed or deferred again.",
    ),
    ("priorities", "product", "One backlog, built together", "Priorities change through the shared backlog, not around it."),
    (
        "estate",
        "product",
        "Respect the estate's limits",
        "Work the estate cannot take is not forced through: tech may delay or turn it down.",
    ),
    (
        "health",
        "tech",
        "Keep the estate healthy",
        "Tech keeps the systems in a state where features can be delivered efficiently.",
    ),
    (
        "urgent",
        "tech",
        "Act on urgent remedial work",
        "When product raises remedial work that puts the organisation at risk, tech acts on it.",
    ),
    (
        "input",
        "tech",
        "Bring the estate's view to the roadmap",
        "Tech speaks for what the estate needs when the roadmap is discussed.",
    ),
    (
        "reorder",
        "tech",
        "Take on priorities reordered through the process",
        "Priorities reordered the agreed way are taken on, not argued over again.",
    ),
    (
        "roadmap",
        "tech",
        "Delivering the agreed roadmap comes first",
        "Delivering the roadmap both sides agreed is tech's first goal.",
    ),
    (
        "explain",
        "tech",
        "Give the estate's reason for a delay or a no",
        "When tech delays or declines work, it says what in the estate makes it so.",
    ),
    ("other", None, "Other", "Another strain on the product-tech working agreement."),
)
KEYWORD_OF_CATEGORY = {
    "artificial_deadline": "deadline",
    "feature_not_problem": "feature",
    "no_seat_at_the_table": "seat",
    "remedial_work_squeezed": "remedial",
    "priorities_outside_backlog": "priorities",
    "other": "other",
}
# The workspaces that exist: any that has flags, settings, leads, preferences, a digest run, an installed bot, or that
# an org-wide installation has served.
WORKSPACE_TABLES = (
    *("flags", "workspace_settings", "workspace_leads", "reporter_preferences"),
    *("digest_runs", "slack_bots", "org_workspaces"),
)


def _case(column: str, mapping: dict[str, str], otherwise: str) -> str:
    whens = " ".join(f"WHEN '{key}' THEN '{value}'" for key, value in mapping.items())
    return f"CASE {column} {whens} ELSE '{otherwise}' END"


def upgrade() -> None:
    clauses = op.create_table(
        "agreement_clauses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("keyword", sa.String(length=20), nullable=False),
        sa.Column("side", sa.String(length=8), nullable=True),
        sa.Column("title", sa.String(length=75), nullable=False),
        sa.Column("description", sa.String(length=100), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement_clauses")),
        sa.UniqueConstraint("team_id", "keyword", name=op.f("uq_agreement_clauses_team_id_keyword")),
    )
    connection = op.get_bind()
    union = " UNION ".join(f"SELECT team_id FROM {table} WHERE team_id IS NOT NULL" for table in WORKSPACE_TABLES)
    team_ids = sorted(connection.execute(sa.text(union)).scalars())
    op.bulk_insert(
        clauses,
        [
            {
                "team_id": team_id,
                "keyword": keyword,
                "side": side,
                "title": title,
                "description": description,
                "active": True,
            }
            for team_id in team_ids
            for keyword, side, title, description in DEFAULT_CLAUSES
        ],
    )

    with op.batch_alter_table("flags", schema=None) as batch_op:
        batch_op.add_column(sa.Column("clause_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE flags SET clause_id = (SELECT agreement_clauses.id FROM agreement_clauses"
        " WHERE agreement_clauses.team_id = flags.team_id"
        f" AND agreement_clauses.keyword = {_case('flags.category', KEYWORD_OF_CATEGORY, 'other')})"
    )
    with op.batch_alter_table("flags", schema=None) as batch_op:
        batch_op.drop_index("ix_flags_team_id_created_at")
        batch_op.drop_index("ix_flags_team_id_released_at")
        batch_op.alter_column("clause_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_flags_clause_id_agreement_clauses"), "agreement_clauses", ["clause_id"], ["id"]
        )
        batch_op.drop_column("category")
        batch_op.create_index("ix_flags_team_id_created_at", ["team_id", "created_at", "clause_id"], unique=False)
        batch_op.create_index("ix_flags_team_id_released_at", ["team_id", "released_at", "clause_id"], unique=False)


def downgrade() -> None:
    category_of_keyword = {keyword: category for category, keyword in KEYWORD_OF_CATEGORY.items()}
    with op.batch_alter_table("flags", schema=None) as batch_op:
        batch_op.add_column(sa.Column("category", sa.String(length=32), nullable=True))
    op.execute(
        "UPDATE flags SET category = (SELECT "
        f"{_case('agreement_clauses.keyword', category_of_keyword, 'other')}"
        " FROM agreement_clauses WHERE agreement_clauses.id = flags.clause_id)"
    )
    with op.batch_alter_table("flags", schema=None) as batch_op:
        batch_op.drop_index("ix_flags_team_id_created_at")
        batch_op.drop_index("ix_flags_team_id_released_at")
        batch_op.drop_constraint(batch_op.f("fk_flags_clause_id_agreement_clauses"), type_="foreignkey")
        batch_op.drop_column("clause_id")
        batch_op.alter_column("category", existing_type=sa.String(length=32), nullable=False)
        batch_op.create_index("ix_flags_team_id_created_at", ["team_id", "created_at", "category"], unique=False)
        batch_op.create_index("ix_flags_team_id_released_at", ["team_id", "released_at", "category"], unique=False)
    op.drop_table("agreement_clauses")
