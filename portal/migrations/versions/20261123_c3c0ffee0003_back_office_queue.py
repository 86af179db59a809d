"""back-office queue, precisions, access log, digest settings

Revision ID: c3c0ffee0003
Revises: 7e7c24be5940
Create Date: 2026-11-23 13:24:50.862317+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "c3c0ffee0003"
down_revision: str | None = "7e7c24be5940"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# JSON, stored as JSONB on PostgreSQL.
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "access_log",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("collectivite_id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("detail", JSON, nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agent.id"], name=op.f("fk_access_log_agent_id_agent")
        ),
        sa.ForeignKeyConstraint(
            ["collectivite_id"],
            ["collectivite.id"],
            name=op.f("fk_access_log_collectivite_id_collectivite"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["owner.id"], name=op.f("fk_access_log_owner_id_owner")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_log")),
    )
    with op.batch_alter_table("access_log", schema=None) as batch_op:
        batch_op.create_index(
            "ix_access_log_collectivite_created", ["collectivite_id", "created_at"], unique=False
        )

    op.create_table(
        "housing_precision",
        sa.Column("housing_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("collectivite_id", sa.Integer(), nullable=False),
        sa.Column("attached_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agent.id"], name=op.f("fk_housing_precision_agent_id_agent")
        ),
        sa.ForeignKeyConstraint(
            ["collectivite_id"],
            ["collectivite.id"],
            name=op.f("fk_housing_precision_collectivite_id_collectivite"),
        ),
        sa.ForeignKeyConstraint(
            ["housing_id"], ["housing.id"], name=op.f("fk_housing_precision_housing_id_housing")
        ),
        sa.PrimaryKeyConstraint(
            "housing_id", "category", "label", name=op.f("pk_housing_precision")
        ),
    )
    with op.batch_alter_table("housing_precision", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_housing_precision_collectivite_id"), ["collectivite_id"], unique=False
        )

    op.create_table(
        "response_recommendation",
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("aid_slug", sa.String(length=80), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["response.id"],
            name=op.f("fk_response_recommendation_response_id_response"),
        ),
        sa.PrimaryKeyConstraint("response_id", "aid_slug", name=op.f("pk_response_recommendation")),
    )
    with op.batch_alter_table("response_recommendation", schema=None) as batch_op:
        batch_op.create_index(
            "ix_response_recommendation_aid", ["aid_slug", "response_id"], unique=False
        )

    with op.batch_alter_table("collectivite", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "digest_frequency", sa.String(length=10), nullable=False, server_default="daily"
            )
        )
        batch_op.create_check_constraint(
            "digest", "digest_frequency IN ('daily', 'weekly', 'never')"
        )
        batch_op.add_column(
            sa.Column("notify_callbacks", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("digest_sent_at", sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.add_column(sa.Column("queue_tab", sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column("last_return_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("search_text", sa.String(length=600), nullable=False, server_default="")
        )
        batch_op.create_check_constraint(
            "queue_tab",
            "queue_tab IS NULL OR queue_tab IN ('new', 'callback', 'follow-up', 'closed')",
        )
        batch_op.create_index(
            "ix_response_collectivite_returned",
            ["collectivite_id", "last_return_at", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_response_queue",
            ["collectivite_id", "queue_tab", "last_return_at", "id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.drop_index("ix_response_queue")
        batch_op.drop_index("ix_response_collectivite_returned")
        batch_op.drop_constraint("queue_tab", type_="check")
        batch_op.drop_column("search_text")
        batch_op.drop_column("reviewed_at")
        batch_op.drop_column("last_return_at")
        batch_op.drop_column("queue_tab")

    with op.batch_alter_table("collectivite", schema=None) as batch_op:
        batch_op.drop_constraint("digest", type_="check")
        batch_op.drop_column("digest_sent_at")
        batch_op.drop_column("notify_callbacks")
        batch_op.drop_column("digest_frequency")

    with op.batch_alter_table("response_recommendation", schema=None) as batch_op:
        batch_op.drop_index("ix_response_recommendation_aid")

    op.drop_table("response_recommendation")
    with op.batch_alter_table("housing_precision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_housing_precision_collectivite_id"))

    op.drop_table("housing_precision")
    with op.batch_alter_table("access_log", schema=None) as batch_op:
        batch_op.drop_index("ix_access_log_collectivite_created")

    op.drop_table("access_log")
