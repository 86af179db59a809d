"""The admin's "Agents" page: admins only, their own collectivité only, POST + CSRF."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.models import AgentSession
from tests.builders import enrol_totp, make_agent, make_collectivite
from tests.conftest import PageClient, csrf_token, sign_in

ACTIONS = (
    "desactiver",
    "reactiver",
    "fermer-les-sessions",
    "reinitialiser-double-authentification",
)


@pytest.fixture
def team(session):
    """An admin and an agent of Nevers, an agent of another collectivité."""
    nevers = make_collectivite(session, name="Commune de Nevers")
    admin = make_agent(session, nevers, role="admin", full_name="Alice Admin")
    colleague = make_agent(session, nevers, full_name="Bruno Collègue")
    foreigner = make_agent(session, make_collectivite(session), full_name="Zoé Ailleurs")
    session.commit()
    return admin, colleague, foreigner


def act(client, agent_id, action):
    token = csrf_token(client, "/gestion/agents")
    return client.post(f"/gestion/agents/{agent_id}/{action}", data={"csrf_token": token})


def reasons(session, agent):
    session.rollback()
    return session.scalars(
        select(AgentSession.ended_reason).where(AgentSession.agent_id == agent.id)
    ).all()


def test_an_admin_sees_the_agents_of_their_collectivite_only(client, team):
    admin, colleague, foreigner = team
    sign_in(client, admin.email)
    page = client.get("/gestion/agents").get_data(as_text=True)
    assert "Alice Admin (vous)" in page and "Bruno Collègue" in page
    assert colleague.email in page
    assert "Zoé Ailleurs" not in page and foreigner.email not in page


def test_an_agent_gets_403(client, session, team):
    _admin, colleague, _foreigner = team
    sign_in(client, colleague.email)
    assert client.get("/gestion/agents").status_code == 403
    token = csrf_token(client, "/gestion/")
    for action in ACTIONS:
        response = client.post(f"/gestion/agents/{_admin.id}/{action}", data={"csrf_token": token})
        assert response.status_code == 403
    session.refresh(_admin)
    assert _admin.is_active


@pytest.mark.parametrize("action", ACTIONS)
def test_a_foreign_agent_is_not_found(app, client, session, team, action):
    admin, _colleague, foreigner = team
    browser = PageClient(app.test_client())
    sign_in(browser, foreigner.email)
    enrol_totp(session, foreigner)
    foreigner.is_active = action != "reactiver"
    session.commit()
    sign_in(client, admin.email)
    assert act(client, foreigner.id, action).status_code == 404
    assert act(client, 10**9, action).status_code == 404
    session.rollback()
    session.refresh(foreigner)
    assert foreigner.is_active is (action != "reactiver")
    assert foreigner.has_totp
    assert reasons(session, foreigner) == [None]


@pytest.mark.parametrize("action", ACTIONS)
def test_an_action_without_the_csrf_token_is_refused(client, session, team, action):
    admin, colleague, _foreigner = team
    enrol_totp(session, colleague)
    session.commit()
    sign_in(client, admin.email)
    assert client.post(f"/gestion/agents/{colleague.id}/{action}").status_code == 400
    response = client.post(f"/gestion/agents/{colleague.id}/{action}", data={"csrf_token": "x"})
    assert response.status_code == 400
    session.rollback()
    session.refresh(colleague)
    assert colleague.is_active and colleague.has_totp


def test_the_other_sessions_button_needs_the_csrf_token(client, team):
    sign_in(client, team[0].email)
    assert client.post("/gestion/compte/autres-sessions").status_code == 400


def test_disabling_an_agent_ends_their_sessions_and_enabling_lets_them_back(
    app, client, session, team
):
    admin, colleague, _foreigner = team
    browser = PageClient(app.test_client())
    sign_in(browser, colleague.email)
    assert browser.get("/gestion/").status_code == 200
    sign_in(client, admin.email)
    response = act(client, colleague.id, "desactiver")
    assert response.headers["Location"] == "/gestion/agents"
    page = client.get("/gestion/agents").get_data(as_text=True)
    assert "Le compte de Bruno Collègue est désactivé" in page
    assert browser.get("/gestion/").status_code == 303
    assert reasons(session, colleague) == ["agent-disabled"]
    assert sign_in(browser, colleague.email).status_code == 400
    act(client, colleague.id, "reactiver")
    assert sign_in(browser, colleague.email).status_code == 303


def test_an_admin_ends_an_agents_sessions(app, client, session, team):
    admin, colleague, _foreigner = team
    browsers = [PageClient(app.test_client()) for _ in range(2)]
    for browser in browsers:
        sign_in(browser, colleague.email)
    sign_in(client, admin.email)
    act(client, colleague.id, "fermer-les-sessions")
    assert "2 sessions de Bruno Collègue fermées" in client.get("/gestion/agents").get_data(
        as_text=True
    )
    for browser in browsers:
        assert browser.get("/gestion/").status_code == 303
    assert reasons(session, colleague) == ["admin", "admin"]
    assert client.get("/gestion/").status_code == 200  # the admin's own session stays


def test_an_admin_resets_a_lost_second_factor(client, session, team):
    admin, colleague, _foreigner = team
    enrol_totp(session, colleague)
    session.commit()
    sign_in(client, admin.email)
    act(client, colleague.id, "reinitialiser-double-authentification")
    session.rollback()
    session.refresh(colleague)
    assert not colleague.has_totp and colleague.totp_secret is None


def test_an_admin_cannot_disable_themselves(client, session, team):
    admin = team[0]
    sign_in(client, admin.email)
    act(client, admin.id, "desactiver")
    assert "Vous ne pouvez pas désactiver votre propre compte" in client.get(
        "/gestion/agents"
    ).get_data(as_text=True)
    session.rollback()
    session.refresh(admin)
    assert admin.is_active


def test_a_cross_tenant_attempt_is_logged(client, team, caplog):
    admin, _colleague, foreigner = team
    sign_in(client, admin.email)
    act(client, foreigner.id, "desactiver")
    assert any(
        "access-denied" in record.getMessage() and "other-tenant" in record.getMessage()
        for record in caplog.records
    )
