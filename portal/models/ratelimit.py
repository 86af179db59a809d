"""Failed attempts counted by the rate limiter when no Redis is configured, and the global
hourly count of failed owner lookups behind the alert of portal.lookup_alert.

One `rate_limit_hit` row per failed attempt: the client's key (a keyed hash, never the
address itself) and the time. Rows older than the longest window are purged by
portal.ratelimit. One `lookup_failure_hour` row per hour with at least one failure: how
many failures all addresses together made, and whether the alert went out for that hour.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, BigId, utcnow


class RateLimitHit(Base):
    __tablename__ = "rate_limit_hit"
    __table_args__ = (Index("ix_rate_limit_hit_key_created", "key", "created_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # HMAC-SHA-256 (hex) of the scope and the client's address, keyed from SECRET_KEY.
    key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class LookupFailureHour(Base):
    """Failed QR-link and typed-code lookups from every address, per hour (UTC)."""

    __tablename__ = "lookup_failure_hour"

    hour_start: Mapped[datetime] = mapped_column(primary_key=True)  # on the hour, UTC
    failures: Mapped[int]
    # Set once, by the one worker that raised the alert for this hour.
    alerted_at: Mapped[datetime | None]
