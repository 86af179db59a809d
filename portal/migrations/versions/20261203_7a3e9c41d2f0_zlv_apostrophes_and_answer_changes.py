"""ZLV's exact labels (typographic apostrophes) in stored sub-statuses and précisions;
answers changed after submission (response_change, response.answers_changed_at) and when an
agent last opened an answer (response.opened_at)

ZLV writes "N’habite pas à l’adresse indiquée" and five précisions with ’ (U+2019); the
portal stored them with a straight apostrophe until now. ZLV compares labels exactly, so the
stored values are rewritten (Events, append-only history, keep what was true when written).

Revision ID: 7a3e9c41d2f0
Revises: b283792511ca
Create Date: 2026-12-03 09:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

revision: str = "7a3e9c41d2f0"
down_revision: str | None = "b283792511ca"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, column, straight label, ZLV's label), as ZLV has them at commit e2cca5479e87.
RENAMED = (
    ("housing", "sub_status", "N'habite pas à l'adresse indiquée",
     "N’habite pas à l’adresse indiquée"),
    ("housing_precision", "label", "Procédure d'habitat indigne (hygiène, insalubrité, péril)",
     "Procédure d’habitat indigne (hygiène, insalubrité, péril)"),
    ("housing_precision", "label", "Défaut d'entretien / Nécessité de travaux",
     "Défaut d’entretien / Nécessité de travaux"),
    ("housing_precision", "label", "Manque de conseils en amont de l'achat",
     "Manque de conseils en amont de l’achat"),
    ("housing_precision", "label", "Pas d'accès indépendant", "Pas d’accès indépendant"),
    ("housing_precision", "label", "Autorisation d'urbanisme refusée / Blocage ABF",
     "Autorisation d’urbanisme refusée / Blocage ABF"),
)  # fmt: skip


def _rename(old_index: int, new_index: int) -> None:
    for entry in RENAMED:
        table, column = entry[0], entry[1]
        target = sa.table(table, sa.column(column, sa.String))
        op.execute(
            target.update()
            .where(target.c[column] == entry[old_index])
            .values({column: entry[new_index]})
        )


def upgrade() -> None:
    _rename(2, 3)
    with op.batch_alter_table("response") as batch:
        batch.add_column(sa.Column("answers_changed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "response_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("collectivite_id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.String(length=80), nullable=False),
        sa.Column("before", JSON, nullable=True),
        sa.Column("after", JSON, nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["collectivite_id"], ["collectivite.id"],
                                name=op.f("fk_response_change_collectivite_id_collectivite")),
        sa.ForeignKeyConstraint(["response_id"], ["response.id"],
                                name=op.f("fk_response_change_response_id_response")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_response_change")),
    )  # fmt: skip
    op.create_index("ix_response_change_response", "response_change",
                    ["response_id", "changed_at"])  # fmt: skip


def downgrade() -> None:
    op.drop_index("ix_response_change_response", table_name="response_change")
    op.drop_table("response_change")
    with op.batch_alter_table("response") as batch:
        batch.drop_column("opened_at")
        batch.drop_column("answers_changed_at")
    _rename(3, 2)
