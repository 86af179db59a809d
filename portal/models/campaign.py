"""Campaigns and their letters: one letter per campaign × dwelling × owner."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, Timestamped
from portal.models.collectivite import Collectivite
from portal.models.housing import Housing, Owner


class Campaign(Timestamped, Base):
    __tablename__ = "campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    collectivite_id: Mapped[int] = mapped_column(ForeignKey("collectivite.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="draft")  # see zlv.CAMPAIGN_STATUSES
    sent_at: Mapped[date | None]  # "Date d'envoi": letters count as sent from this day
    # Letters of this campaign stop opening the portal after this moment.
    letters_expire_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("agent.id"))

    collectivite: Mapped[Collectivite] = relationship()
    letters: Mapped[list[Letter]] = relationship(back_populates="campaign")


class Letter(Timestamped, Base):
    """A printed letter. Its QR token and typed code are stored only as hashes."""

    __tablename__ = "letter"
    __table_args__ = (
        UniqueConstraint("campaign_id", "housing_id", "owner_id"),
        Index("ix_letter_housing", "housing_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    collectivite_id: Mapped[int] = mapped_column(ForeignKey("collectivite.id"), index=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    housing_id: Mapped[int] = mapped_column(ForeignKey("housing.id"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("owner.id"), index=True)
    # Set when the letter is first printed (portal.letters.issue): a random seed from which
    # the QR token and the typed code derive with a key made from SECRET_KEY, so that
    # printing again gives the same codes while the database alone reveals none of them.
    seed: Mapped[str | None] = mapped_column(String(32))
    issue: Mapped[int] = mapped_column(default=1, server_default="1")  # 2 once re-issued…
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)  # SHA-256, hex
    code_hash: Mapped[str | None] = mapped_column(String(64), unique=True)  # HMAC-SHA-256
    variant: Mapped[str | None] = mapped_column(String(40))  # wording variant (experiments)
    sent_at: Mapped[date | None]
    first_visit_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(String(40))

    collectivite: Mapped[Collectivite] = relationship()
    campaign: Mapped[Campaign] = relationship(back_populates="letters")
    housing: Mapped[Housing] = relationship()
    owner: Mapped[Owner] = relationship()
