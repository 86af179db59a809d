"""Failed attempts counted by the rate limiter when no Redis is configured.

One row per failed attempt: the client's key (a keyed hash, never the address itself) and
the time. Rows older than the longest window are purged by portal.ratelimit.
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
