"""The back-office tests' clock, settings, collectivité and agent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from portal import clock as portal_clock
from tests.builders import enrol_totp, make_agent, make_collectivite


class FakeClock:
    """The portal's clock for sessions, lock-outs, reset links and TOTP, moved by hand."""

    def __init__(self, start: datetime) -> None:
        self.moment = start

    def now(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> None:
        self.moment += timedelta(**delta)


@pytest.fixture
def town(session):
    """The agents' collectivité (a module may override it, with agents of its own)."""
    town = make_collectivite(session, name="Commune de Bourges")
    session.commit()
    return town


@pytest.fixture
def clock(monkeypatch):
    # At the start of a 30-second step, so a TOTP code stays the current one in a test.
    start = datetime(2026, 11, 23, 9, 0, 0, tzinfo=UTC)
    fake = FakeClock(start)
    monkeypatch.setattr(portal_clock, "now", fake.now)  # the portal's one clock
    return fake


@pytest.fixture
def totp_on(app, monkeypatch):
    """AGENT_TOTP_REQUIRED as in production."""
    monkeypatch.setitem(app.config, "AGENT_TOTP_REQUIRED", True)


@pytest.fixture
def agent(session):
    """An agent of a collectivité of their own (a module may override it)."""
    agent = make_agent(session, make_collectivite(session))
    session.commit()
    return agent


@pytest.fixture
def enrolled(session, agent):
    """The agent, with a second factor."""
    enrol_totp(session, agent)
    session.commit()
    return agent
