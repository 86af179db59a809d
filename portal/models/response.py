"""An owner's answers to the diagnostic, one per letter, saved at every step."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, Timestamped
from portal.models.campaign import Letter


class Response(Timestamped, Base):
    __tablename__ = "response"
    __table_args__ = (
        Index("ix_response_collectivite_submitted", "collectivite_id", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    collectivite_id: Mapped[int] = mapped_column(ForeignKey("collectivite.id"))
    letter_id: Mapped[int] = mapped_column(ForeignKey("letter.id"), unique=True)
    # {question id: answer value}, values as the content defines them.
    answers: Mapped[dict] = mapped_column(default=dict)
    # Version of guidance_content/ the answers were given against.
    content_version: Mapped[str] = mapped_column(String(40), default="")
    current_question: Mapped[str | None] = mapped_column(String(80))
    progress: Mapped[int] = mapped_column(default=0)  # percent of the diagnostic done
    submitted_at: Mapped[datetime | None]
    # "Ce service vous a-t-il été utile ?" (optional, in the spirit of "Je donne mon avis")
    useful: Mapped[bool | None]
    comment: Mapped[str | None] = mapped_column(Text)

    letter: Mapped[Letter] = relationship()
