"""initial data model

Revision ID: dda918b75466
Revises:
Create Date: 2026-11-23 10:37:52.172808+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "dda918b75466"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# JSON, stored as JSONB on PostgreSQL.
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "collectivite",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("short_name", sa.String(length=80), nullable=True),
        sa.Column("siren", sa.String(length=9), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("perimeter", JSON, nullable=False),
        sa.Column("logo_path", sa.String(length=300), nullable=True),
        sa.Column("contact_points", JSON, nullable=False),
        sa.Column("settings", JSON, nullable=False),
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
        sa.CheckConstraint("length(siren) = 9", name=op.f("ck_collectivite_siren_length")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collectivite")),
        sa.UniqueConstraint("siren", name=op.f("uq_collectivite_siren")),
    )
    op.create_table(
        "agent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("collectivite_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
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
        sa.CheckConstraint("role IN ('agent', 'admin')", name=op.f("ck_agent_role")),
        sa.ForeignKeyConstraint(
            ["collectivite_id"],
            ["collectivite.id"],
            name=op.f("fk_agent_collectivite_id_collectivite"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent")),
        sa.UniqueConstraint("email", name=op.f("uq_agent_email")),
    )
    with op.batch_alter_table("agent", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agent_collectivite_id"), ["collectivite_id"], unique=False
        )

    op.create_table(
        "housing",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("collectivite_id", sa.Integer(), nullable=False),
        sa.Column("local_id", sa.String(length=12), nullable=False),
        sa.Column("invariant", sa.String(length=20), nullable=True),
        sa.Column("address_lines", JSON, nullable=False),
        sa.Column("insee_code", sa.String(length=5), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=True),
        sa.Column("living_area", sa.Integer(), nullable=True),
        sa.Column("rooms_count", sa.Integer(), nullable=True),
        sa.Column("building_year", sa.Integer(), nullable=True),
        sa.Column("vacancy_start_year", sa.Integer(), nullable=True),
        sa.Column("energy_label", sa.String(length=1), nullable=True),
        sa.Column("occupancy", sa.String(length=10), nullable=False),
        sa.Column("occupancy_intended", sa.String(length=10), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("sub_status", sa.String(length=80), nullable=True),
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
        sa.CheckConstraint(
            "energy_label IS NULL OR energy_label IN ('A','B','C','D','E','F','G')",
            name=op.f("ck_housing_energy_label"),
        ),
        sa.ForeignKeyConstraint(
            ["collectivite_id"],
            ["collectivite.id"],
            name=op.f("fk_housing_collectivite_id_collectivite"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_housing")),
        sa.UniqueConstraint(
            "collectivite_id", "local_id", name=op.f("uq_housing_collectivite_id_local_id")
        ),
    )
    with op.batch_alter_table("housing", schema=None) as batch_op:
        batch_op.create_index(
            "ix_housing_collectivite_status", ["collectivite_id", "status"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_housing_insee_code"), ["insee_code"], unique=False)

    op.create_table(
        "owner",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("collectivite_id", sa.Integer(), nullable=False),
        sa.Column("full_name", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=80), nullable=False),
        sa.Column("address_lines", JSON, nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("do_not_contact", sa.Boolean(), nullable=False),
        sa.Column("do_not_contact_at", sa.DateTime(timezone=True), nullable=True),
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
        sa.ForeignKeyConstraint(
            ["collectivite_id"],
            ["collectivite.id"],
            name=op.f("fk_owner_collectivite_id_collectivite"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_owner")),
    )
    with op.batch_alter_table("owner", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_owner_collectivite_id"), ["collectivite_id"], unique=False
        )

    op.create_table(
        "campaign",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("collectivite_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("sent_at", sa.Date(), nullable=True),
        sa.Column("letters_expire_at", sa.DateTime(timezone=True), nullable=True),
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
        sa.ForeignKeyConstraint(
            ["collectivite_id"],
            ["collectivite.id"],
            name=op.f("fk_campaign_collectivite_id_collectivite"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["agent.id"], name=op.f("fk_campaign_created_by_id_agent")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign")),
    )
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_campaign_collectivite_id"), ["collectivite_id"], unique=False
        )

    op.create_table(
        "housing_owner",
        sa.Column("housing_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("property_right", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["housing_id"], ["housing.id"], name=op.f("fk_housing_owner_housing_id_housing")
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["owner.id"], name=op.f("fk_housing_owner_owner_id_owner")
        ),
        sa.PrimaryKeyConstraint("housing_id", "owner_id", name=op.f("pk_housing_owner")),
    )
    with op.batch_alter_table("housing_owner", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_housing_owner_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("collectivite_id", sa.Integer(), nullable=False),
        sa.Column("housing_id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["agent_id"], ["agent.id"], name=op.f("fk_note_agent_id_agent")),
        sa.ForeignKeyConstraint(
            ["collectivite_id"],
            ["collectivite.id"],
            name=op.f("fk_note_collectivite_id_collectivite"),
        ),
        sa.ForeignKeyConstraint(
            ["housing_id"], ["housing.id"], name=op.f("fk_note_housing_id_housing")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_note")),
    )
    with op.batch_alter_table("note", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_note_collectivite_id"), ["collectivite_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_note_housing_id"), ["housing_id"], unique=False)

    op.create_table(
        "letter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("collectivite_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("housing_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("variant", sa.String(length=40), nullable=True),
        sa.Column("sent_at", sa.Date(), nullable=True),
        sa.Column("first_visit_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_reason", sa.String(length=40), nullable=True),
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
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaign.id"], name=op.f("fk_letter_campaign_id_campaign")
        ),
        sa.ForeignKeyConstraint(
            ["collectivite_id"],
            ["collectivite.id"],
            name=op.f("fk_letter_collectivite_id_collectivite"),
        ),
        sa.ForeignKeyConstraint(
            ["housing_id"], ["housing.id"], name=op.f("fk_letter_housing_id_housing")
        ),
        sa.ForeignKeyConstraint(["owner_id"], ["owner.id"], name=op.f("fk_letter_owner_id_owner")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letter")),
        sa.UniqueConstraint(
            "campaign_id",
            "housing_id",
            "owner_id",
            name=op.f("uq_letter_campaign_id_housing_id_owner_id"),
        ),
        sa.UniqueConstraint("code_hash", name=op.f("uq_letter_code_hash")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_letter_token_hash")),
    )
    with op.batch_alter_table("letter", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_letter_collectivite_id"), ["collectivite_id"], unique=False
        )
        batch_op.create_index("ix_letter_housing", ["housing_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_letter_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "event",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("collectivite_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_kind", sa.String(length=10), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("housing_id", sa.Integer(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("letter_id", sa.Integer(), nullable=True),
        sa.Column("before", JSON, nullable=True),
        sa.Column("after", JSON, nullable=True),
        sa.CheckConstraint(
            "actor_kind IN ('owner', 'agent', 'system')", name=op.f("ck_event_actor_kind")
        ),
        sa.ForeignKeyConstraint(["agent_id"], ["agent.id"], name=op.f("fk_event_agent_id_agent")),
        sa.ForeignKeyConstraint(
            ["collectivite_id"],
            ["collectivite.id"],
            name=op.f("fk_event_collectivite_id_collectivite"),
        ),
        sa.ForeignKeyConstraint(
            ["housing_id"], ["housing.id"], name=op.f("fk_event_housing_id_housing")
        ),
        sa.ForeignKeyConstraint(
            ["letter_id"], ["letter.id"], name=op.f("fk_event_letter_id_letter")
        ),
        sa.ForeignKeyConstraint(["owner_id"], ["owner.id"], name=op.f("fk_event_owner_id_owner")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event")),
    )
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.create_index(
            "ix_event_collectivite_created", ["collectivite_id", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_event_housing_created", ["housing_id", "created_at"], unique=False
        )

    op.create_table(
        "response",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("collectivite_id", sa.Integer(), nullable=False),
        sa.Column("letter_id", sa.Integer(), nullable=False),
        sa.Column("answers", JSON, nullable=False),
        sa.Column("content_version", sa.String(length=40), nullable=False),
        sa.Column("current_question", sa.String(length=80), nullable=True),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
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
        sa.ForeignKeyConstraint(
            ["collectivite_id"],
            ["collectivite.id"],
            name=op.f("fk_response_collectivite_id_collectivite"),
        ),
        sa.ForeignKeyConstraint(
            ["letter_id"], ["letter.id"], name=op.f("fk_response_letter_id_letter")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_response")),
        sa.UniqueConstraint("letter_id", name=op.f("uq_response_letter_id")),
    )
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.create_index(
            "ix_response_collectivite_submitted", ["collectivite_id", "submitted_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.drop_index("ix_response_collectivite_submitted")

    op.drop_table("response")
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_index("ix_event_housing_created")
        batch_op.drop_index("ix_event_collectivite_created")

    op.drop_table("event")
    with op.batch_alter_table("letter", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_letter_owner_id"))
        batch_op.drop_index("ix_letter_housing")
        batch_op.drop_index(batch_op.f("ix_letter_collectivite_id"))

    op.drop_table("letter")
    with op.batch_alter_table("note", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_note_housing_id"))
        batch_op.drop_index(batch_op.f("ix_note_collectivite_id"))

    op.drop_table("note")
    with op.batch_alter_table("housing_owner", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_housing_owner_owner_id"))

    op.drop_table("housing_owner")
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_campaign_collectivite_id"))

    op.drop_table("campaign")
    with op.batch_alter_table("owner", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_owner_collectivite_id"))

    op.drop_table("owner")
    with op.batch_alter_table("housing", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_housing_insee_code"))
        batch_op.drop_index("ix_housing_collectivite_status")

    op.drop_table("housing")
    with op.batch_alter_table("agent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agent_collectivite_id"))

    op.drop_table("agent")
    op.drop_table("collectivite")
