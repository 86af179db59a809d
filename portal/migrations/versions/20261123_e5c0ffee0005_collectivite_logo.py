"""collectivité logos uploaded by admins

Revision ID: e5c0ffee0005
Revises: b2c0ffee0002
Create Date: 2026-11-23 14:40:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e5c0ffee0005"
down_revision: str | None = "b2c0ffee0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "collectivite_logo",
        sa.Column("collectivite_id", sa.Integer(), nullable=False),
        sa.Column("media_type", sa.String(length=20), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("version", sa.String(length=16), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "media_type IN ('image/png', 'image/jpeg')",
            name=op.f("ck_collectivite_logo_media_type"),
        ),
        sa.ForeignKeyConstraint(
            ["collectivite_id"],
            ["collectivite.id"],
            name=op.f("fk_collectivite_logo_collectivite_id_collectivite"),
        ),
        sa.PrimaryKeyConstraint("collectivite_id", name=op.f("pk_collectivite_logo")),
    )


def downgrade() -> None:
    op.drop_table("collectivite_logo")
