"""lookup failure hours

Revision ID: a1c0ffee0001
Revises: c3c0ffee0003
Create Date: 2026-11-23 14:30:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a1c0ffee0001"
down_revision: str | None = "c3c0ffee0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "lookup_failure_hour",
        sa.Column("hour_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("alerted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("hour_start", name=op.f("pk_lookup_failure_hour")),
    )


def downgrade() -> None:
    op.drop_table("lookup_failure_hour")
