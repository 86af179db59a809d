"""Who read which owner's personal data, and when (shown to the collectivité's admins)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, BigId, utcnow


class AccessLog(Base):
    """A read of personal data by an agent: an answer's page (one owner) or an export
    (`count` owners, the filter in `detail`). Rows are only added, never changed."""

    __tablename__ = "access_log"
    __table_args__ = (Index("ix_access_log_collectivite_created", "collectivite_id", "created_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    collectivite_id: Mapped[int] = mapped_column(ForeignKey("collectivite.id"))
    agent_id: Mapped[int] = mapped_column(ForeignKey("agent.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    action: Mapped[str] = mapped_column(String(20))  # "view" | "list" | "export"
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("owner.id"))
    count: Mapped[int] = mapped_column(default=1)
    detail: Mapped[dict] = mapped_column(default=dict)
