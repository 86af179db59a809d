"""Agents' sessions live on the server: logout, expiry and disabling really end them."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from portal.models import AgentSession
from tests.builders import make_agent, make_collectivite
from tests.conftest import PageClient, csrf_token, sign_in


@pytest.fixture
def agent(session):
    agent = make_agent(session, make_collectivite(session, name="Commune de Nevers"))
    session.commit()
    return agent


def cookie_value(client) -> str:
    return client.get_cookie("portal_session").value


def with_cookie(app, value: str) -> PageClient:
    """Another browser holding a copy of a session cookie."""
    other = PageClient(app.test_client())
    other.set_cookie("portal_session", value, domain="localhost")
    return other


def records(session, agent) -> list[AgentSession]:
    session.rollback()  # a fresh snapshot: the requests wrote meanwhile
    return list(
        session.scalars(
            select(AgentSession).where(AgentSession.agent_id == agent.id).order_by(AgentSession.id)
        )
    )


def test_the_cookie_carries_only_a_token_whose_hash_is_stored(app, client, session, agent, clock):
    assert sign_in(client, agent.email).status_code == 303
    content = app.session_interface.get_signing_serializer(app).loads(cookie_value(client))
    assert set(content) - {"csrf_token"} == {"agent_token"}
    token = content["agent_token"]
    assert len(token) >= 43  # 32 random bytes, base64url
    [record] = records(session, agent)
    assert record.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in record.token_hash
    assert record.expires_at == clock.now().replace(hour=21)  # 12 hours after sign-in
    assert record.ended_at is None


def test_signing_in_starts_a_new_session_and_a_new_csrf_token(app, client, session, agent):
    token_before = csrf_token(client, "/gestion/connexion")
    cookie_before = cookie_value(client)
    sign_in(client, agent.email)
    assert csrf_token(client, "/gestion/") != token_before
    # The cookie from before the sign-in opens nothing.
    response = with_cookie(app, cookie_before).get("/gestion/")
    assert response.status_code == 303
    # Signing in again in another browser makes a second, different session.
    other = PageClient(app.test_client())
    sign_in(other, agent.email)
    first, second = records(session, agent)
    assert first.token_hash != second.token_hash


def test_logout_ends_the_session_on_the_server(app, client, session, agent):
    sign_in(client, agent.email)
    stolen = cookie_value(client)
    assert with_cookie(app, stolen).get("/gestion/").status_code == 200
    response = client.post(
        "/gestion/deconnexion", data={"csrf_token": csrf_token(client, "/gestion/")}
    )
    assert response.headers["Location"] == "/gestion/connexion"
    [record] = records(session, agent)
    assert record.ended_reason == "logout"
    assert record.ended_at is not None
    # The copy of the cookie taken before the logout is refused too.
    replay = with_cookie(app, stolen).get("/gestion/")
    assert replay.status_code == 303
    assert replay.headers["Location"].startswith("/gestion/connexion")
    assert client.get("/gestion/").status_code == 303


def test_logout_needs_the_csrf_token(client, agent):
    sign_in(client, agent.email)
    assert client.post("/gestion/deconnexion").status_code == 400
    assert client.get("/gestion/").status_code == 200


def test_an_idle_session_expires(client, session, agent, clock):
    sign_in(client, agent.email)
    clock.advance(minutes=29)
    assert client.get("/gestion/").status_code == 200
    clock.advance(minutes=29)  # 58 minutes since sign-in, but active 29 minutes ago
    assert client.get("/gestion/").status_code == 200
    clock.advance(minutes=30)
    response = client.get("/gestion/")
    assert response.status_code == 303
    assert records(session, agent)[0].ended_reason == "idle"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Votre session a expiré" in page


def test_a_busy_session_still_ends_after_twelve_hours(client, session, agent, clock):
    sign_in(client, agent.email)
    for _ in range(35):  # a request every 20 minutes for 11 h 40
        clock.advance(minutes=20)
        assert client.get("/gestion/").status_code == 200
    clock.advance(minutes=20)
    assert client.get("/gestion/").status_code == 303
    assert records(session, agent)[0].ended_reason == "expired"


def test_the_idle_limit_comes_from_the_configuration(app, client, agent, clock, monkeypatch):
    monkeypatch.setitem(app.config, "AGENT_SESSION_IDLE_MINUTES", 5)
    sign_in(client, agent.email)
    clock.advance(minutes=6)
    assert client.get("/gestion/").status_code == 303


def test_last_seen_is_written_at_most_once_a_minute(client, session, agent, clock):
    sign_in(client, agent.email)
    signed_in_at = clock.now()
    clock.advance(seconds=30)
    client.get("/gestion/")
    assert records(session, agent)[0].last_seen_at == signed_in_at
    clock.advance(seconds=40)
    client.get("/gestion/")
    assert records(session, agent)[0].last_seen_at == clock.now()


def test_a_disabled_agent_is_out_at_the_next_request(client, session, agent):
    sign_in(client, agent.email)
    agent.is_active = False
    session.commit()
    assert client.get("/gestion/").status_code == 303
    assert records(session, agent)[0].ended_reason == "agent-disabled"


def test_a_role_change_takes_effect_at_once(client, session, agent):
    agent.role = "admin"
    session.commit()
    sign_in(client, agent.email)
    assert client.get("/gestion/agents").status_code == 200
    agent.role = "agent"
    session.commit()
    assert client.get("/gestion/agents").status_code == 403


def test_log_out_of_my_other_sessions(app, client, session, agent):
    sign_in(client, agent.email)
    elsewhere = [PageClient(app.test_client()) for _ in range(2)]
    for browser in elsewhere:
        sign_in(browser, agent.email)
    page = client.get("/gestion/compte").get_data(as_text=True)
    assert page.count("Werkzeug/") == 3  # the test client's User-Agent
    token = csrf_token(client, "/gestion/compte")
    response = client.post("/gestion/compte/autres-sessions", data={"csrf_token": token})
    assert response.status_code == 303
    assert "2 autres sessions fermées" in client.get("/gestion/compte").get_data(as_text=True)
    assert client.get("/gestion/").status_code == 200
    for browser in elsewhere:
        assert browser.get("/gestion/").status_code == 303
    reasons = [record.ended_reason for record in records(session, agent)]
    assert reasons == [None, "other-sessions", "other-sessions"]


def test_the_account_page_names_the_browser_not_the_whole_header(client, agent):
    user_agent = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
    client.environ_base["HTTP_USER_AGENT"] = user_agent
    sign_in(client, agent.email)
    page = client.get("/gestion/compte").get_data(as_text=True)
    assert "Firefox, Linux (cette session)" in page
    assert "Gecko" not in page


@pytest.mark.parametrize("path", ["/gestion/", "/gestion/compte", "/gestion/agents"])
def test_every_back_office_page_offers_to_sign_out(client, session, agent, path):
    agent.role = "admin"
    session.commit()
    sign_in(client, agent.email)
    page = client.get(path).get_data(as_text=True)
    assert 'action="/gestion/deconnexion"' in page
    assert "Se déconnecter" in page
    assert 'href="/gestion/compte"' in page


def test_signing_in_again_in_the_same_browser_ends_the_unfinished_session(client, session, agent):
    from tests.builders import enrol_totp

    enrol_totp(session, agent)
    session.commit()
    sign_in(client, agent.email)  # stops at the second factor
    sign_in(client, agent.email)
    assert [record.ended_reason for record in records(session, agent)] == ["replaced", None]
