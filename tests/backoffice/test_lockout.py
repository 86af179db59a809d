"""Lock-out after repeated failed sign-ins: same message for everything, unknown
addresses counted too, lifted after the period, logged without the password."""

from __future__ import annotations

import logging
import re

from sqlalchemy import func, select

from portal import passwords
from portal.models import Agent, AgentLoginThrottle
from tests.builders import PASSWORD
from tests.conftest import PageClient, sign_in

MESSAGE = "Adresse e-mail ou mot de passe incorrect"
UNKNOWN = "personne@commune.example"


def fail(client, email, times):
    for _ in range(times):
        response = sign_in(client, email, "not the password at all")
        assert response.status_code == 400
        assert MESSAGE in response.get_data(as_text=True)


def error_text(response) -> str:
    """The page without what changes on every request (tokens, nonces)."""
    html = response.get_data(as_text=True)
    return re.sub(r'(value|nonce)="[^"]*"', "", html)


def test_eight_failures_lock_the_account_even_for_the_right_password(client, agent, clock):
    fail(client, agent.email, 8)
    response = sign_in(client, agent.email)
    assert response.status_code == 400
    assert MESSAGE in response.get_data(as_text=True)
    assert client.get("/gestion/").status_code == 303


def test_seven_failures_do_not(client, agent, clock):
    fail(client, agent.email, 7)
    assert sign_in(client, agent.email).status_code == 303


def test_the_lock_lifts_after_the_period(client, agent, clock):
    fail(client, agent.email, 8)
    clock.advance(minutes=29)
    assert sign_in(client, agent.email).status_code == 400
    clock.advance(minutes=2)
    assert sign_in(client, agent.email).status_code == 303
    assert client.get("/gestion/").status_code == 200


def test_the_limits_come_from_the_configuration(app, client, agent, clock, monkeypatch):
    monkeypatch.setitem(app.config, "AGENT_LOGIN_MAX_FAILURES", 3)
    monkeypatch.setitem(app.config, "AGENT_LOCKOUT_MINUTES", 5)
    fail(client, agent.email, 3)
    assert sign_in(client, agent.email).status_code == 400
    clock.advance(minutes=6)
    assert sign_in(client, agent.email).status_code == 303


def test_a_success_starts_the_count_again(app, client, agent, clock):
    fail(client, agent.email, 7)
    assert sign_in(client, agent.email).status_code == 303
    other = PageClient(app.test_client())
    fail(other, agent.email, 7)
    assert sign_in(other, agent.email).status_code == 303


def test_old_failures_are_forgotten(client, agent, clock):
    fail(client, agent.email, 7)
    clock.advance(minutes=31)
    fail(client, agent.email, 7)
    assert sign_in(client, agent.email).status_code == 303


def test_the_address_is_counted_whatever_its_case(client, agent, clock):
    fail(client, agent.email.upper(), 8)
    assert sign_in(client, f"  {agent.email}  ").status_code == 400


def test_unknown_addresses_are_counted_without_creating_anything(client, session, agent, clock):
    fail(client, UNKNOWN, 8)
    assert session.scalar(select(func.count()).select_from(Agent)) == 1
    [row] = session.scalars(select(AgentLoginThrottle)).all()
    assert UNKNOWN not in row.key  # an HMAC, not the address
    assert row.locked_until == clock.now().replace(minute=30)
    # The agent's own address is not affected.
    assert sign_in(client, agent.email).status_code == 303


def test_unknown_wrong_and_locked_look_the_same(client, agent, clock, monkeypatch):
    """Same status, same page, and argon2 runs every time (so the same time)."""
    verified = []

    class CountingHasher:  # the real argon2 hasher, counting its calls
        def __init__(self, hasher):
            self.hasher = hasher

        def verify(self, hash_, password):
            verified.append(hash_)
            return self.hasher.verify(hash_, password)

    monkeypatch.setattr(passwords, "_hasher", CountingHasher(passwords._hasher))
    wrong = sign_in(client, agent.email, "not the password at all")
    unknown = sign_in(client, UNKNOWN, "not the password at all")
    fail(client, agent.email, 8)
    verified.clear()
    locked = sign_in(client, agent.email, PASSWORD)
    assert wrong.status_code == unknown.status_code == locked.status_code == 400
    page = error_text(wrong)
    assert error_text(unknown).replace(UNKNOWN, agent.email) == page
    assert error_text(locked) == page
    assert len(verified) == 1  # the locked attempt still ran argon2 (against the dummy hash)
    assert verified[0] != agent.password_hash


def test_a_disabled_account_fails_like_a_wrong_password(client, session, agent):
    agent.is_active = False
    session.commit()
    response = sign_in(client, agent.email)
    assert response.status_code == 400
    assert MESSAGE in response.get_data(as_text=True)


def test_authentication_events_are_logged_in_utc_without_the_password(client, agent, clock, caplog):
    caplog.set_level(logging.INFO, logger="portal.auth")
    fail(client, agent.email, 7)
    fail(client, UNKNOWN, 1)
    fail(client, agent.email, 1)
    sign_in(client, agent.email)
    clock.advance(minutes=31)
    sign_in(client, agent.email)
    lines = [record.getMessage() for record in caplog.records if record.name == "portal.auth"]
    events = [line.split()[1] for line in lines]
    assert events.count("login-failure") == 8
    assert events.count("login-locked") == 1
    assert events.count("login-refused") == 1
    assert events.count("login-success") == 1
    assert all(" at=2026-11-23T09:" in line and "Z " in line for line in lines)
    assert any(f"agent={agent.id}" in line for line in lines if "login-locked" in line)
    text = "\n".join(lines)
    assert "not the password at all" not in text
    assert PASSWORD not in text
    assert agent.email not in text
    assert UNKNOWN not in text


def test_one_address_trying_many_accounts_is_slowed_down(app, client, agent, clock, caplog):
    """Credential stuffing: 20 failures in 15 minutes from one address, whatever the
    e-mail addresses tried, then 429 with Retry-After, even for a right password."""
    for n in range(20):
        assert sign_in(client, f"victime{n}@commune.example", "Printemps2024!").status_code == 400
    response = sign_in(client, agent.email)
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 15 * 60
    assert "rate limit: login attempt refused" in caplog.text
    other_address = PageClient(app.test_client())
    other_address.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    assert sign_in(other_address, agent.email).status_code == 303
    clock.advance(minutes=16)
    assert sign_in(client, agent.email).status_code == 303
