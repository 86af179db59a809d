"""ZLV's "précisions" attached to a dwelling: dispositifs, points de blocage, évolutions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, utcnow


class HousingPrecision(Base):
    """One précision on one dwelling (labels and categories: portal.models.zlv.PRECISIONS).
    Attaching and detaching write "housing:precision-attached/detached" events."""

    __tablename__ = "housing_precision"

    housing_id: Mapped[int] = mapped_column(ForeignKey("housing.id"), primary_key=True)
    category: Mapped[str] = mapped_column(String(40), primary_key=True)
    label: Mapped[str] = mapped_column(String(120), primary_key=True)
    collectivite_id: Mapped[int] = mapped_column(ForeignKey("collectivite.id"), index=True)
    attached_at: Mapped[datetime] = mapped_column(default=utcnow)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agent.id"))
