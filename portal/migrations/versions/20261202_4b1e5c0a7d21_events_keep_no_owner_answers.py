"""events keep no owner answers; response.return_digests

Owners' returns used to record all their answers (and a hash of their call-back details) in
append-only Events, which retention cannot purge. From now on an Event keeps only what the
dwelling is (DWELLING_ANSWERS); the repeat check uses a digest stored on the response, which
retention clears with the answers. This revision strips what earlier Events recorded.

Revision ID: 4b1e5c0a7d21
Revises: ff1909a9aeea
Create Date: 2026-12-02 17:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "4b1e5c0a7d21"
down_revision: str | None = "ff1909a9aeea"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
DWELLING_ANSWERS = ("situation",)  # as in portal/models/response.py on this date
CHUNK = 1000

event = sa.table("event", sa.column("id", sa.BigInteger), sa.column("kind", sa.String),
                 sa.column("after", JSON))  # fmt: skip


def stripped(after: dict) -> dict:
    kept = dict(after)
    if isinstance(kept.get("answers"), dict):
        kept["answers"] = {k: v for k, v in kept["answers"].items() if k in DWELLING_ANSWERS}
    if isinstance(kept.get("callback"), dict):
        kept["callback"] = {k: v for k, v in kept["callback"].items() if k != "fingerprint"}
    return kept


def upgrade() -> None:
    with op.batch_alter_table("response") as batch:
        batch.add_column(sa.Column("return_digests", JSON, server_default="{}", nullable=False))
    connection, last = op.get_bind(), 0
    while True:
        rows = connection.execute(
            sa.select(event.c.id, event.c.after)
            .where(event.c.kind.like("response:%"), event.c.id > last)
            .order_by(event.c.id).limit(CHUNK)
        ).all()  # fmt: skip
        if not rows:
            return
        for row in rows:
            if row.after and stripped(row.after) != row.after:
                connection.execute(sa.update(event).where(event.c.id == row.id)
                                   .values(after=stripped(row.after)))  # fmt: skip
        last = rows[-1].id


def downgrade() -> None:
    # What was stripped from the Events is gone for good.
    with op.batch_alter_table("response") as batch:
        batch.drop_column("return_digests")
