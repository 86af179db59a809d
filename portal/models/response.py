"""An owner's answers to the diagnostic, one per letter, saved at every step."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, Timestamped
from portal.models.campaign import Letter

# The back-office queue's tabs, in their order (see portal.backoffice.queue.tab_for).
QUEUE_TABS = ("new", "callback", "follow-up", "closed")


# The answers that describe the dwelling, not its owner: the only ones Events keep, and the
# only ones left when retention anonymises a response (the queue's filter, the export's column).
DWELLING_ANSWERS = ("situation",)


class Response(Timestamped, Base):
    __tablename__ = "response"
    __table_args__ = (
        Index("ix_response_collectivite_submitted", "collectivite_id", "submitted_at"),
        # The queue: one tab of one collectivité, newest first, keyset-paginated.
        Index("ix_response_queue", "collectivite_id", "queue_tab", "last_return_at", "id"),
        Index("ix_response_collectivite_returned", "collectivite_id", "last_return_at", "id"),
        CheckConstraint(
            "queue_tab IS NULL OR queue_tab IN ('new', 'callback', 'follow-up', 'closed')",
            name="queue_tab",
        ),
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
    # In the back-office queue from the owner's first return (a submission or an exit) on.
    queue_tab: Mapped[str | None] = mapped_column(String(12))
    last_return_at: Mapped[datetime | None]  # the owner's latest return: the queue's order
    reviewed_at: Mapped[datetime | None]  # an agent acted since the owner's latest return
    # The owner's name and the dwelling's address, lower-cased without accents, for the
    # queue's search (see portal.queue.search_text).
    search_text: Mapped[str] = mapped_column(String(600), default="", server_default="")
    # {return kind: digest of what that return recorded}: a return identical to the latest
    # one of its kind is not recorded twice. The digest covers the answers, which Events do
    # not keep; it goes when retention anonymises the response.
    return_digests: Mapped[dict] = mapped_column(default=dict, server_default="{}")
    # When the owner last changed an answer they had already submitted, and when an agent
    # last opened the answer's page: the queue marks answers changed since they were read.
    answers_changed_at: Mapped[datetime | None]
    opened_at: Mapped[datetime | None]

    letter: Mapped[Letter] = relationship()
    recommendations: Mapped[list[ResponseRecommendation]] = relationship(
        order_by="ResponseRecommendation.rank", cascade="all, delete-orphan"
    )


class ResponseChange(Base):
    """An answer the owner changed after submitting: the question, before and after.

    Kept beside the answers (not in the append-only Events), so that retention deletes
    them with the answers they describe (portal.retention)."""

    __tablename__ = "response_change"
    __table_args__ = (Index("ix_response_change_response", "response_id", "changed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    collectivite_id: Mapped[int] = mapped_column(ForeignKey("collectivite.id"))
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id"))
    question_id: Mapped[str] = mapped_column(String(80))
    before: Mapped[dict | None]  # {"value": the earlier answer}
    after: Mapped[dict | None]  # {"value": the new answer}
    changed_at: Mapped[datetime]


class ResponseRecommendation(Base):
    """An aid the owner saw among their recommendations, in the order shown."""

    __tablename__ = "response_recommendation"
    __table_args__ = (Index("ix_response_recommendation_aid", "aid_slug", "response_id"),)

    response_id: Mapped[int] = mapped_column(ForeignKey("response.id"), primary_key=True)
    aid_slug: Mapped[str] = mapped_column(String(80), primary_key=True)
    rank: Mapped[int]
