"""experiments: the registry, the campaigns each pools, and its units (letters and their arm)

Revision ID: b283792511ca
Revises: 4b1e5c0a7d21
Create Date: 2026-12-03 05:57:50.277025+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

revision: str = "b283792511ca"
down_revision: str | None = "4b1e5c0a7d21"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "experiment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("collectivite_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("page", sa.String(length=20), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("hypothesis", sa.Text(), nullable=False),
        sa.Column("arms", JSON, nullable=False),
        sa.Column("primary_metric", sa.String(length=30), nullable=True),
        sa.Column("secondary_metrics", JSON, nullable=False),
        sa.Column("guardrail_metrics", JSON, nullable=False),
        sa.Column("alpha", sa.Double(), nullable=False),
        sa.Column("power", sa.Double(), nullable=False),
        sa.Column("baseline_rate", sa.Double(), nullable=True),
        sa.Column("planned_sample", sa.Integer(), nullable=True),
        sa.Column("analysis_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("salt", sa.String(length=32), nullable=False),
        sa.Column("registration", JSON, nullable=True),
        sa.Column("registration_hash", sa.String(length=64), nullable=True),
        sa.Column("launched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint("kind IN ('letter', 'page')", name=op.f("ck_experiment_kind")),
        sa.CheckConstraint(
            "page IS NULL OR page IN ('landing', 'results')", name=op.f("ck_experiment_page")
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'running', 'stopped')", name=op.f("ck_experiment_status")
        ),
        sa.ForeignKeyConstraint(
            ["collectivite_id"],
            ["collectivite.id"],
            name=op.f("fk_experiment_collectivite_id_collectivite"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["agent.id"], name=op.f("fk_experiment_created_by_id_agent")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_experiment")),
    )
    with op.batch_alter_table("experiment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_experiment_collectivite_id"), ["collectivite_id"], unique=False
        )

    op.create_table(
        "experiment_campaign",
        sa.Column("experiment_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaign.id"],
            name=op.f("fk_experiment_campaign_campaign_id_campaign"),
        ),
        sa.ForeignKeyConstraint(
            ["experiment_id"],
            ["experiment.id"],
            name=op.f("fk_experiment_campaign_experiment_id_experiment"),
        ),
        sa.PrimaryKeyConstraint(
            "experiment_id", "campaign_id", name=op.f("pk_experiment_campaign")
        ),
    )
    with op.batch_alter_table("experiment_campaign", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_experiment_campaign_campaign_id"), ["campaign_id"], unique=False
        )

    op.create_table(
        "experiment_unit",
        sa.Column("experiment_id", sa.Integer(), nullable=False),
        sa.Column("letter_id", sa.Integer(), nullable=False),
        sa.Column("arm", sa.String(length=40), nullable=False),
        sa.Column("stratum", sa.String(length=120), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("exposed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["experiment_id"],
            ["experiment.id"],
            name=op.f("fk_experiment_unit_experiment_id_experiment"),
        ),
        sa.ForeignKeyConstraint(
            ["letter_id"], ["letter.id"], name=op.f("fk_experiment_unit_letter_id_letter")
        ),
        sa.PrimaryKeyConstraint("experiment_id", "letter_id", name=op.f("pk_experiment_unit")),
    )
    with op.batch_alter_table("experiment_unit", schema=None) as batch_op:
        batch_op.create_index("ix_experiment_unit_letter", ["letter_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("experiment_unit", schema=None) as batch_op:
        batch_op.drop_index("ix_experiment_unit_letter")

    op.drop_table("experiment_unit")
    with op.batch_alter_table("experiment_campaign", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_experiment_campaign_campaign_id"))

    op.drop_table("experiment_campaign")
    with op.batch_alter_table("experiment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_experiment_collectivite_id"))

    op.drop_table("experiment")
