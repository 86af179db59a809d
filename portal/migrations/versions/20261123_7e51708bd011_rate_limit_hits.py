"""rate limit hits

Revision ID: 7e51708bd011
Revises: dda918b75466
Create Date: 2026-11-23 11:46:45.262539+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7e51708bd011"
down_revision: str | None = "dda918b75466"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rate_limit_hit",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rate_limit_hit")),
    )
    with op.batch_alter_table("rate_limit_hit", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rate_limit_hit_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index("ix_rate_limit_hit_key_created", ["key", "created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("rate_limit_hit", schema=None) as batch_op:
        batch_op.drop_index("ix_rate_limit_hit_key_created")
        batch_op.drop_index(batch_op.f("ix_rate_limit_hit_created_at"))

    op.drop_table("rate_limit_hit")
