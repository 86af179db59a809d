"""The second factor: enrolment with a QR code, a code at every sign-in, no replay."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.backoffice import totp
from portal.config import DevelopmentConfig, ProductionConfig, TestConfig
from portal.models import AgentSession
from tests.builders import PASSWORD, totp_code
from tests.conftest import PageClient, csrf_token, sign_in


def reload(session, agent):
    session.rollback()
    session.refresh(agent)
    return agent


def send_code(client, code, path="/gestion/connexion/code"):
    token = csrf_token(client, path)
    return client.post(path, data={"code": code, "csrf_token": token})


def enrol(client, password, code, path="/gestion/compte/double-authentification", token=None):
    token = token or csrf_token(client, path)
    return client.post(path, data={"password": password, "code": code, "csrf_token": token})


def shown_secret(client) -> str:
    page = client.get("/gestion/compte/double-authentification").get_data(as_text=True)
    return re.search(r"<code>([A-Z2-7 ]+)</code>", page).group(1).replace(" ", "")


def test_production_requires_it_development_and_tests_do_not(monkeypatch):
    monkeypatch.setenv("AGENT_TOTP_REQUIRED", "false")
    assert ProductionConfig().AGENT_TOTP_REQUIRED is True
    assert TestConfig().AGENT_TOTP_REQUIRED is False
    assert DevelopmentConfig().AGENT_TOTP_REQUIRED is False


def test_the_development_demo_says_the_second_factor_is_skipped(app, client, monkeypatch):
    notice = "la double authentification (code d’une application sur téléphone) est désactivée"
    assert notice not in client.get("/gestion/connexion").get_data(as_text=True)
    monkeypatch.setitem(app.config, "PORTAL_ENV", "development")
    assert notice in client.get("/gestion/connexion").get_data(as_text=True)


def test_when_required_an_agent_enrols_before_anything_else(client, session, agent, clock, totp_on):
    response = sign_in(client, agent.email, next_path="/gestion/compte")
    assert response.headers["Location"].startswith("/gestion/compte/double-authentification")
    assert (
        client.get("/gestion/")
        .headers["Location"]
        .startswith("/gestion/compte/double-authentification")
    )
    secret = shown_secret(client)
    assert len(secret) == 32  # 160 bits
    qr = client.get("/gestion/compte/double-authentification/qr-code.svg")
    assert qr.status_code == 200
    assert qr.mimetype == "image/svg+xml"
    assert qr.data.startswith(b"<?xml") and b"<svg" in qr.data
    assert b"<script" not in qr.data and b"style=" not in qr.data
    assert qr.headers["Cache-Control"] == "no-store"
    path = "/gestion/compte/double-authentification?next=/gestion/compte"
    response = enrol(client, PASSWORD, totp.code_at(secret, totp.current_step()), path)
    assert response.status_code == 303
    assert response.headers["Location"] == "/gestion/compte"
    assert client.get("/gestion/").status_code == 200
    reload(session, agent)
    assert agent.totp_secret == secret
    assert agent.totp_confirmed_at == clock.now()


def test_the_enrolment_page_shows_the_qr_code_through_our_own_route(client, agent, totp_on):
    sign_in(client, agent.email)
    page = client.get("/gestion/compte/double-authentification").get_data(as_text=True)
    assert '<img src="/gestion/compte/double-authentification/qr-code.svg"' in page
    assert "QR code à scanner" in page


@pytest.mark.parametrize(
    ("password", "code", "message"),
    [
        ("wrong password!!", None, "Ce mot de passe ne convient pas"),
        (PASSWORD, "000000", "Ce code ne convient pas"),
        (PASSWORD, "12345", "Le code est fait de 6 chiffres"),
        (PASSWORD, "", "Saisissez le code à 6 chiffres"),
        ("", None, "Saisissez votre mot de passe"),
    ],
)
def test_enrolment_errors(client, session, agent, clock, totp_on, password, code, message):
    sign_in(client, agent.email)
    secret = shown_secret(client)
    right = totp.code_at(secret, totp.current_step())
    if code == "000000" and right == "000000":
        code = "111111"
    response = enrol(client, password, right if code is None else code)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert not reload(session, agent).has_totp


def test_an_enrolled_agent_gives_a_code_after_the_password(client, session, enrolled, clock):
    response = sign_in(client, enrolled.email, next_path="/gestion/compte")
    assert response.headers["Location"] == "/gestion/connexion/code?next=/gestion/compte"
    assert client.get("/gestion/").headers["Location"].startswith("/gestion/connexion/code")
    [record] = session.scalars(select(AgentSession)).all()
    assert record.mfa_passed_at is None
    token_before = record.token_hash
    response = send_code(
        client, totp_code(enrolled), "/gestion/connexion/code?next=/gestion/compte"
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/gestion/compte"
    assert client.get("/gestion/").status_code == 200
    session.rollback()
    [record] = session.scalars(select(AgentSession)).all()
    assert record.mfa_passed_at == clock.now()
    assert record.token_hash != token_before  # a new token once the second factor is passed


def test_a_wrong_code_is_refused(client, enrolled, clock):
    sign_in(client, enrolled.email)
    wrong = "000000" if totp_code(enrolled) != "000000" else "111111"
    response = send_code(client, wrong)
    assert response.status_code == 400
    assert "Ce code ne convient pas" in response.get_data(as_text=True)
    assert client.get("/gestion/").status_code == 303


def test_a_code_works_once(app, client, session, enrolled, clock):
    code = totp_code(enrolled)
    sign_in(client, enrolled.email)
    assert send_code(client, code).status_code == 303
    thief = PageClient(app.test_client())
    sign_in(thief, enrolled.email)
    response = send_code(thief, code)
    assert response.status_code == 400
    assert thief.get("/gestion/").status_code == 303
    # Nor an older code once a newer one was used.
    clock.advance(seconds=30)
    assert send_code(thief, totp_code(enrolled, steps_ahead=-1)).status_code == 400
    assert send_code(thief, totp_code(enrolled)).status_code == 303


@pytest.mark.parametrize(("steps", "accepted"), [(-2, False), (-1, True), (1, True), (2, False)])
def test_one_step_either_side_is_accepted(client, enrolled, clock, steps, accepted):
    sign_in(client, enrolled.email)
    response = send_code(client, totp_code(enrolled, steps_ahead=steps))
    assert (response.status_code == 303) is accepted


def test_spaces_in_the_code_are_ignored(client, enrolled, clock):
    sign_in(client, enrolled.email)
    code = totp_code(enrolled)
    assert send_code(client, f"{code[:3]} {code[3:]}").status_code == 303


def test_wrong_codes_count_towards_the_lock_out(client, session, enrolled, clock):
    sign_in(client, enrolled.email)
    wrong = "000000" if totp_code(enrolled) != "000000" else "111111"
    for _ in range(7):
        assert send_code(client, wrong).status_code == 400
    response = send_code(client, wrong)
    assert response.headers["Location"] == "/gestion/connexion"
    assert "Trop de codes erronés" in client.get("/gestion/connexion").get_data(as_text=True)
    session.rollback()
    [record] = session.scalars(select(AgentSession)).all()
    assert record.ended_reason == "locked"
    assert sign_in(client, enrolled.email).status_code == 400  # locked for 30 minutes


def test_a_password_alone_cannot_replace_the_second_factor(client, session, enrolled):
    sign_in(client, enrolled.email)
    page = client.get("/gestion/compte/double-authentification")
    assert page.headers["Location"].startswith("/gestion/connexion/code")
    qr = client.get("/gestion/compte/double-authentification/qr-code.svg")
    assert qr.status_code == 404
    secret = "A" * 32
    token = csrf_token(client, "/gestion/connexion/code")
    code = totp.code_at(secret, totp.current_step())
    response = enrol(client, PASSWORD, code, token=token)
    assert response.status_code == 303
    assert reload(session, enrolled).totp_secret != secret


def test_a_signed_in_agent_can_change_application(client, session, enrolled, clock):
    sign_in(client, enrolled.email)
    send_code(client, totp_code(enrolled))
    old_secret = enrolled.totp_secret
    clock.advance(seconds=30)
    secret = shown_secret(client)
    assert secret != old_secret
    response = enrol(client, PASSWORD, totp.code_at(secret, totp.current_step()))
    assert response.headers["Location"] == "/gestion/compte"
    assert "fermez vos autres sessions" in client.get("/gestion/compte").get_data(as_text=True)
    assert reload(session, enrolled).totp_secret == secret


def test_the_code_page_needs_a_session(client):
    response = client.get("/gestion/connexion/code")
    assert response.headers["Location"] == "/gestion/connexion"


def test_without_the_requirement_an_agent_without_totp_goes_straight_in(client, agent):
    assert sign_in(client, agent.email).headers["Location"] == "/gestion/reponses"
    assert client.get("/gestion/").status_code == 200


def test_two_requests_racing_with_the_same_code_cannot_both_pass(app, session, enrolled, clock):
    from sqlalchemy.orm import Session as DatabaseSession

    from portal.models import Agent

    engine = app.extensions["database"]
    code = totp_code(enrolled)
    with DatabaseSession(engine) as first, DatabaseSession(engine) as second:
        # Both read the agent before either records the code.
        one, two = first.get(Agent, enrolled.id), second.get(Agent, enrolled.id)
        first.expunge(one), second.expunge(two)
        first.rollback(), second.rollback()
        assert one.totp_last_step is None and two.totp_last_step is None
        assert totp.check_agent_code(first, one, code) is True
        assert totp.check_agent_code(second, two, code) is False
