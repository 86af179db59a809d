"""agent sessions, sign-in throttle, TOTP

Revision ID: b2c0ffee0002
Revises: a1c0ffee0001
Create Date: 2026-11-23 13:15:22.948665+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b2c0ffee0002"
down_revision: str | None = "a1c0ffee0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "agent_login_throttle",
        sa.Column("id", BigId, nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent_login_throttle")),
        sa.UniqueConstraint("key", name=op.f("uq_agent_login_throttle_key")),
    )
    with op.batch_alter_table("agent_login_throttle", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agent_login_throttle_last_failure_at"), ["last_failure_at"], unique=False
        )

    op.create_table(
        "agent_session",
        sa.Column("id", BigId, nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_reason", sa.String(length=20), nullable=True),
        sa.Column("mfa_passed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("totp_pending_secret", sa.String(length=64), nullable=True),
        sa.Column("user_agent", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agent.id"], name=op.f("fk_agent_session_agent_id_agent")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_agent_session_token_hash")),
    )
    with op.batch_alter_table("agent_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agent_session_agent_id"), ["agent_id"], unique=False)

    with op.batch_alter_table("agent", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("password_reset_sent_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("totp_secret", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("totp_confirmed_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("totp_last_step", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("agent", schema=None) as batch_op:
        batch_op.drop_column("totp_last_step")
        batch_op.drop_column("totp_confirmed_at")
        batch_op.drop_column("totp_secret")
        batch_op.drop_column("password_reset_sent_at")
        batch_op.drop_column("password_changed_at")

    with op.batch_alter_table("agent_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agent_session_agent_id"))

    op.drop_table("agent_session")
    with op.batch_alter_table("agent_login_throttle", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agent_login_throttle_last_failure_at"))

    op.drop_table("agent_login_throttle")
