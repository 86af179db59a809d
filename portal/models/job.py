"""Background work (letter generation, large imports) and the files it reads and writes.

A job is queued by a request or a command, run by portal.jobs (an RQ worker when REDIS_URL
is set, a thread of the app otherwise), and followed on its page through `done`/`total`.
A running job touches `heartbeat_at`; one whose heartbeat stopped is shown as failed and
can be started again. Files live in the database so that every app server and worker
sees them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, Timestamped

JOB_KINDS = ("letters", "import")
JOB_STATES = ("queued", "running", "done", "failed")


class Job(Timestamped, Base):
    __tablename__ = "job"
    __table_args__ = (
        CheckConstraint("state IN ('queued', 'running', 'done', 'failed')", name="state"),
        Index("ix_job_collectivite_kind", "collectivite_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    collectivite_id: Mapped[int] = mapped_column(ForeignKey("collectivite.id"))
    kind: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(10), default="queued")
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id"), index=True)
    params: Mapped[dict] = mapped_column(default=dict)  # e.g. {"mode": "preview"}
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int | None]
    result: Mapped[dict] = mapped_column(default=dict)  # counts shown when it is done
    error: Mapped[str | None] = mapped_column(Text)  # for agents: what failed, no traceback
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("agent.id"))
    started_at: Mapped[datetime | None]
    heartbeat_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    files: Mapped[list[JobFile]] = relationship(back_populates="job")


class JobFile(Base):
    """A job's input (an uploaded file) or output (letters PDF, recipients CSV)."""

    __tablename__ = "job_file"

    job_id: Mapped[int] = mapped_column(ForeignKey("job.id", ondelete="CASCADE"),
                                        primary_key=True)  # fmt: skip
    role: Mapped[str] = mapped_column(String(20), primary_key=True)  # input, pdf, csv
    name: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)

    job: Mapped[Job] = relationship(back_populates="files")
