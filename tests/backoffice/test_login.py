"""Signing in to the back-office, and seeing only one's own collectivité."""

from __future__ import annotations

import pytest

from tests.builders import PASSWORD, make_agent, make_campaign, make_collectivite
from tests.conftest import csrf_token


@pytest.fixture
def agent(session):
    agent = make_agent(session, make_collectivite(session, name="Commune de Nevers"))
    session.commit()
    return agent


def login(client, email, password):
    token = csrf_token(client, "/gestion/connexion")
    return client.post(
        "/gestion/connexion", data={"email": email, "password": password, "csrf_token": token}
    )


def test_the_back_office_needs_a_login(client):
    response = client.get("/gestion/")
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/gestion/connexion")


def test_an_agent_signs_in_and_out(client, agent):
    response = login(client, agent.email.upper(), PASSWORD)
    assert response.status_code == 303
    home = client.get("/gestion/")
    assert home.status_code == 200
    assert "Commune de Nevers" in home.get_data(as_text=True)
    token = csrf_token(client, "/gestion/")
    client.post("/gestion/deconnexion", data={"csrf_token": token})
    assert client.get("/gestion/").status_code == 303


@pytest.mark.parametrize("email", ["agent-inconnu@commune.example", None])
def test_wrong_credentials_get_one_message(client, agent, email):
    response = login(client, email or agent.email, "wrong password")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Adresse e-mail ou mot de passe incorrect" in html
    assert client.get("/gestion/").status_code == 303


def test_a_disabled_agent_cannot_sign_in(client, session, agent):
    agent.is_active = False
    session.commit()
    assert login(client, agent.email, PASSWORD).status_code == 400


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        ("", PASSWORD, "Saisissez votre adresse e-mail"),
        ("a@b.fr", "", "Saisissez votre mot de passe"),
        ("a" * 300 + "@b.fr", PASSWORD, "trop longue"),
    ],
)
def test_missing_fields_get_a_message(client, agent, email, password, message):
    response = login(client, email, password)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_the_login_never_redirects_elsewhere(client, agent):
    token = csrf_token(client, "/gestion/connexion")
    response = client.post(
        "/gestion/connexion?next=https://evil.example/",
        data={"email": agent.email, "password": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/gestion/reponses"


def test_an_agent_sees_only_the_campaigns_of_their_collectivite(client, session, agent):
    make_campaign(session, agent.collectivite, title="Campagne de Nevers")
    make_campaign(session, make_collectivite(session), title="Campagne d’ailleurs")
    session.commit()
    login(client, agent.email, PASSWORD)
    html = client.get("/gestion/").get_data(as_text=True)
    assert "Campagne de Nevers" in html
    assert "Campagne d’ailleurs" not in html
