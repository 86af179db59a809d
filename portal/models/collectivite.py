"""The collectivité (tenant) and its agents."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, LargeBinary, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, Timestamped, utcnow

AGENT_ROLES = ("agent", "admin")


class Collectivite(Timestamped, Base):
    """A commune, an intercommunalité or another public body writing to owners."""

    __tablename__ = "collectivite"
    __table_args__ = (
        CheckConstraint("length(siren) = 9", name="siren_length"),
        CheckConstraint("digest_frequency IN ('daily', 'weekly', 'never')", name="digest"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    short_name: Mapped[str | None] = mapped_column(String(80))
    siren: Mapped[str] = mapped_column(String(9), unique=True)
    kind: Mapped[str] = mapped_column(String(10))  # ZLV establishment kind: COM, CC, CA…
    # The INSEE codes of the communes it covers.
    perimeter: Mapped[list] = mapped_column(default=list)
    # A file under static/ ("img/ville.png"), or "db:<version>" for a logo uploaded by its
    # admins (CollectiviteLogo); templates turn either into a URL with `logo_url`.
    logo_path: Mapped[str | None] = mapped_column(String(300))
    # [{"label", "phone", "email", "address", "hours"}], shown to owners.
    contact_points: Mapped[list] = mapped_column(default=list)
    # {"signatories": [...], "local_aids": [...], "partners": [...]}, edited by its admins
    # (see portal.backoffice.settings; local aids and partners reach the rules engine
    # through portal.local_overrides).
    settings: Mapped[dict] = mapped_column(default=dict)
    # E-mail to the agents: a digest of new answers ("daily", "weekly" or "never"), and a
    # notice for each call-back request when `notify_callbacks` is set.
    digest_frequency: Mapped[str] = mapped_column(
        String(10), default="daily", server_default="daily"
    )
    notify_callbacks: Mapped[bool] = mapped_column(default=False, server_default=false())
    digest_sent_at: Mapped[datetime | None]  # the end of the period the last digest covered

    agents: Mapped[list[Agent]] = relationship(back_populates="collectivite")

    def __repr__(self) -> str:
        return f"<Collectivite {self.id} {self.name!r}>"


class Agent(Timestamped, Base):
    """A person working for one collectivité in the back-office."""

    __tablename__ = "agent"
    __table_args__ = (CheckConstraint("role IN ('agent', 'admin')", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    collectivite_id: Mapped[int] = mapped_column(ForeignKey("collectivite.id"), index=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-cased
    full_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(Text)  # argon2id, see portal.passwords
    role: Mapped[str] = mapped_column(String(10), default="agent")
    is_active: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[datetime | None]
    password_changed_at: Mapped[datetime | None]
    # When a reset link was last sent (one mail every few minutes at most).
    password_reset_sent_at: Mapped[datetime | None]
    # TOTP (RFC 6238) second factor, see portal.backoffice.totp: the base32 secret, when
    # the agent confirmed it with a code, and the last time step accepted (no replay).
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_confirmed_at: Mapped[datetime | None]
    totp_last_step: Mapped[int | None]

    collectivite: Mapped[Collectivite] = relationship(back_populates="agents")

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def has_totp(self) -> bool:
        """True once the agent has confirmed a TOTP application with a code."""
        return self.totp_secret is not None and self.totp_confirmed_at is not None

    def __repr__(self) -> str:
        return f"<Agent {self.id} {self.email!r}>"


LOGO_MEDIA_TYPES = ("image/png", "image/jpeg")


class CollectiviteLogo(Base):
    """A collectivité's logo as uploaded by its admins, re-encoded (PNG or JPEG only, see
    portal.backoffice.logo). In the database rather than on disk, so that every app server
    serves it; `Collectivite.logo_path` is "db:<version>" while it is in use."""

    __tablename__ = "collectivite_logo"
    __table_args__ = (
        CheckConstraint("media_type IN ('image/png', 'image/jpeg')", name="media_type"),
    )

    collectivite_id: Mapped[int] = mapped_column(ForeignKey("collectivite.id"), primary_key=True)
    media_type: Mapped[str] = mapped_column(String(20))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    version: Mapped[str] = mapped_column(String(16))  # the start of the data's SHA-256
    width: Mapped[int]
    height: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
