"""The clock of agents' sessions, lock-outs, reset links and TOTP codes (tests move it)."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(UTC)
