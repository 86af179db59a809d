"""The portal's one clock: what time it is, as an aware UTC datetime.

Every part of the portal asks `clock.now()` (the module, not a copy of the function:
`from portal import clock`), so a test moves time for all of them at once with
`monkeypatch.setattr(clock, "now", ...)`: agents' sessions, lock-outs, reset links, TOTP
codes, rate limits, the lookup alert, owners' returns, model defaults. Stored in UTC,
shown in Europe/Paris (the templates' filters).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo


def now() -> datetime:
    return datetime.now(UTC)


PARIS = ZoneInfo("Europe/Paris")


def local_date(moment: datetime | None = None) -> date:
    """The day it is (or was at `moment`) in France: send dates and daily jobs use it."""
    return (moment or now()).astimezone(PARIS).date()


def start_of_day(day: date) -> datetime:
    """Midnight of `day` in France, as an aware UTC datetime."""
    return datetime.combine(day, time(), PARIS).astimezone(UTC)
