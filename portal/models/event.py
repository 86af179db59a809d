"""Append-only history of a dwelling's follow-up, and agents' notes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, BigId, utcnow

ACTOR_KINDS = ("owner", "agent", "system")


class Event(Base):
    """Something that happened: who (actor), when, what (kind), before and after.

    Kinds follow ZLV's event types, e.g. "housing:status-updated",
    "housing:occupancy-updated", "owner:updated". Rows are never updated or deleted.
    """

    __tablename__ = "event"
    __table_args__ = (
        CheckConstraint("actor_kind IN ('owner', 'agent', 'system')", name="actor_kind"),
        Index("ix_event_housing_created", "housing_id", "created_at"),
        Index("ix_event_collectivite_created", "collectivite_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    collectivite_id: Mapped[int] = mapped_column(ForeignKey("collectivite.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_kind: Mapped[str] = mapped_column(String(10))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agent.id"))
    kind: Mapped[str] = mapped_column(String(60))
    housing_id: Mapped[int | None] = mapped_column(ForeignKey("housing.id"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("owner.id"))
    letter_id: Mapped[int | None] = mapped_column(ForeignKey("letter.id"))
    before: Mapped[dict | None]
    after: Mapped[dict | None]


class AppendOnlyError(RuntimeError):
    pass


@event.listens_for(Event, "before_update")
@event.listens_for(Event, "before_delete")
def refuse_change(_mapper, _connection, target: Event) -> None:
    raise AppendOnlyError(f"events are append-only (event {target.id})")


class Note(Base):
    """A note an agent writes on a dwelling (ZLV's kinds, "Note courante" by default)."""

    __tablename__ = "note"

    id: Mapped[int] = mapped_column(primary_key=True)
    collectivite_id: Mapped[int] = mapped_column(ForeignKey("collectivite.id"), index=True)
    housing_id: Mapped[int] = mapped_column(ForeignKey("housing.id"), index=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agent.id"))
    kind: Mapped[str] = mapped_column(String(60), default="Note courante")
    content: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
