"""An owner's call-back request, and the outbox of e-mails sent with retries."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, BigId, Timestamped, utcnow
from portal.models.campaign import Letter

# When the owner would rather be called: the value stored → its label (the call-back form's
# choices, the back-office's answer page and exports).
MOMENTS = {
    "morning": _l("Le matin"), "lunch": _l("Entre midi et deux"),
    "afternoon": _l("L’après-midi"), "evening": _l("En fin de journée"),
    "any": _l("À tout moment"),
}  # fmt: skip


class CallbackRequest(Timestamped, Base):
    """ "Rappelez-moi": how and when the owner would like to be contacted. One per letter;
    asking again updates it. Never shown back to the owner (only "vous avez répondu le…")."""

    __tablename__ = "callback_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    collectivite_id: Mapped[int] = mapped_column(ForeignKey("collectivite.id"), index=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letter.id"), unique=True)
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254))
    moments: Mapped[list] = mapped_column(default=list)  # keys of MOMENTS
    note: Mapped[str] = mapped_column(Text, default="")
    consent_at: Mapped[datetime]
    handled_at: Mapped[datetime | None]

    letter: Mapped[Letter] = relationship()


class OutboxMessage(Base):
    """An e-mail waiting to be sent. Written in the same transaction as what it reports,
    sent later by `portal outbox send` with retries, so a mail failure loses nothing."""

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_due", "sent_at", "failed_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    collectivite_id: Mapped[int | None] = mapped_column(ForeignKey("collectivite.id"))
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]  # given up after the last retry
    last_error: Mapped[str | None] = mapped_column(Text)
