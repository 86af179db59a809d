"""What a collectivité prints: its letter wordings (one per variant) and signature images.

The sender block and the signatories' names and roles live in `Collectivite.settings`
("letter" and "signatories", edited on the settings pages); the logo is the collectivité's.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, Timestamped, utcnow

DEFAULT_VARIANT = "standard"


class LetterTemplate(Timestamped, Base):
    """The subject and body of a collectivité's letter, in one named wording variant.
    The body holds merge fields (`{{owner.fullName}}`, `{{letter.qrCode}}`…), checked
    against portal.letters.merge when saved."""

    __tablename__ = "letter_template"
    __table_args__ = (UniqueConstraint("collectivite_id", "variant"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    collectivite_id: Mapped[int] = mapped_column(ForeignKey("collectivite.id"))
    variant: Mapped[str] = mapped_column(String(40), default=DEFAULT_VARIANT)
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)


class SignatureImage(Base):
    """A signatory's scanned signature (position 1 or 2, as in the settings' signatories),
    re-encoded as PNG or JPEG on upload."""

    __tablename__ = "signature_image"
    __table_args__ = (
        CheckConstraint("position IN (1, 2)", name="position"),
        CheckConstraint("media_type IN ('image/png', 'image/jpeg')", name="media_type"),
    )

    collectivite_id: Mapped[int] = mapped_column(ForeignKey("collectivite.id"), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)
    media_type: Mapped[str] = mapped_column(String(20))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    width: Mapped[int]
    height: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
