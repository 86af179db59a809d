"""One browser, one audience (issue 12): opening a letter's link or code in a browser where
an agent is signed in ends the agent's session (its server-side record too), and signing in
as an agent ends the owner's session in that browser."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.models import AgentSession
from tests.builders import make_agent, make_collectivite, make_letter
from tests.conftest import csrf_token, sign_in


@pytest.fixture
def agent(session):
    agent = make_agent(session, make_collectivite(session, name="Commune de Vierzon"))
    session.commit()
    return agent


def cookie_content(app, client) -> dict:
    cookie = client.get_cookie("portal_session")
    return app.session_interface.get_signing_serializer(app).loads(cookie.value)


def agent_records(session, agent) -> list[AgentSession]:
    session.rollback()  # a fresh snapshot: the requests wrote meanwhile
    return list(session.scalars(select(AgentSession).where(AgentSession.agent_id == agent.id)))


def test_opening_a_letters_link_ends_the_agents_session(app, client, session, agent):
    _, token, _ = make_letter(session)
    session.commit()
    assert sign_in(client, agent.email).status_code == 303
    assert client.get("/gestion/").status_code == 200
    assert client.get(f"/l/{token}").status_code == 303
    assert "agent_token" not in cookie_content(app, client)
    [record] = agent_records(session, agent)
    assert record.ended_at is not None
    assert record.ended_reason == "owner-link"
    back = client.get("/gestion/")
    assert back.status_code == 303
    assert back.headers["Location"].startswith("/gestion/connexion")
    assert client.get("/mon-logement").status_code == 200  # the owner's session works


def test_opening_a_letter_by_its_code_ends_the_agents_session(app, client, session, agent):
    _, _, code = make_letter(session)
    session.commit()
    sign_in(client, agent.email)
    token = csrf_token(client, "/code")
    assert client.post("/code", data={"code": code, "csrf_token": token}).status_code == 303
    [record] = agent_records(session, agent)
    assert record.ended_reason == "owner-link"
    assert client.get("/gestion/").status_code == 303


def test_signing_in_as_an_agent_ends_the_owners_session(app, client, session, agent):
    _, token, _ = make_letter(session)
    session.commit()
    assert client.get(f"/l/{token}").status_code == 303
    assert client.get("/mon-logement").status_code == 200
    assert sign_in(client, agent.email).status_code == 303
    assert "letter_id" not in cookie_content(app, client)
    assert client.get("/mon-logement").status_code == 404
    assert client.get("/diagnostic/situation").status_code == 404


def test_a_letter_opened_without_an_agent_ends_no_session(app, client, session, agent):
    """Another browser's agent session is left alone."""
    _, token, _ = make_letter(session)
    session.commit()
    sign_in(client, agent.email)
    assert app.test_client().get(f"/l/{token}").status_code == 303
    [record] = agent_records(session, agent)
    assert record.ended_at is None
    assert client.get("/gestion/").status_code == 200
