"""Forgotten password: the same answer for any address, a signed link by e-mail that
works once and for 45 minutes, a new password that is not a common one."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.models import AgentSession, OutboxMessage
from portal.passwords import hash_password, verify_password
from tests.builders import PASSWORD, enrol_totp
from tests.conftest import PageClient, csrf_token, sign_in

NEW_PASSWORD = "le chat de la voisine dort au soleil"


def ask_for_a_link(client, email):
    token = csrf_token(client, "/gestion/mot-de-passe-oublie")
    return client.post("/gestion/mot-de-passe-oublie", data={"email": email, "csrf_token": token})


def mails(session) -> list[OutboxMessage]:
    session.rollback()
    return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def reload(session, agent) -> None:
    session.rollback()  # a fresh snapshot: the requests wrote meanwhile
    session.refresh(agent)


def link_in(message: OutboxMessage) -> str:
    match = re.search(
        r"http://portal\.test(/gestion/mot-de-passe/nouveau\?jeton=\S+)", message.body
    )
    assert match, message.body
    return match.group(1)


def choose_password(client, link, password=NEW_PASSWORD, confirmation=None):
    opened = client.get(link)
    assert opened.status_code == 303
    assert opened.headers["Location"] == "/gestion/mot-de-passe/nouveau"
    page = client.get("/gestion/mot-de-passe/nouveau")
    if page.status_code != 200:
        return page
    token = csrf_token(client, "/gestion/mot-de-passe/nouveau")
    data = {"password": password, "confirmation": confirmation or password, "csrf_token": token}
    return client.post("/gestion/mot-de-passe/nouveau", data=data)


def test_the_answer_is_the_same_whether_the_address_is_known_or_not(client, session, agent):
    known = ask_for_a_link(client, agent.email.upper())
    unknown = ask_for_a_link(client, "personne@commune.example")
    assert known.status_code == unknown.status_code == 303
    assert known.headers["Location"] == unknown.headers["Location"]
    page = client.get(known.headers["Location"]).get_data(as_text=True)
    assert "Si cette adresse correspond à un compte d’agent" in page
    [message] = mails(session)
    assert message.recipient == agent.email
    assert "45 minutes" in message.body


def test_a_disabled_agent_gets_no_link(client, session, agent):
    agent.is_active = False
    session.commit()
    assert ask_for_a_link(client, agent.email).status_code == 303
    assert mails(session) == []


def test_one_mail_every_five_minutes_at_most(client, session, agent, clock):
    ask_for_a_link(client, agent.email)
    ask_for_a_link(client, agent.email)
    assert len(mails(session)) == 1
    clock.advance(minutes=6)
    ask_for_a_link(client, agent.email)
    assert len(mails(session)) == 2


def test_the_link_sets_a_new_password_and_the_old_one_stops_working(
    app, client, session, agent, clock
):
    ask_for_a_link(client, agent.email)
    link = link_in(mails(session)[0])
    response = choose_password(client, link)
    assert response.status_code == 303
    assert response.headers["Location"] == "/gestion/connexion"
    reload(session, agent)
    assert verify_password(agent.password_hash, NEW_PASSWORD)
    assert agent.password_changed_at == clock.now()
    browser = PageClient(app.test_client())
    assert sign_in(browser, agent.email, PASSWORD).status_code == 400
    assert sign_in(browser, agent.email, NEW_PASSWORD).status_code == 303


def test_the_link_works_once(app, client, session, agent):
    ask_for_a_link(client, agent.email)
    link = link_in(mails(session)[0])
    assert choose_password(client, link).status_code == 303
    other = PageClient(app.test_client())
    again = choose_password(other, link, "une autre phrase assez longue")
    assert again.status_code == 410
    assert "Ce lien n’est plus valable" in again.get_data(as_text=True)
    reload(session, agent)
    assert verify_password(agent.password_hash, NEW_PASSWORD)


def test_the_link_dies_when_the_password_changes_another_way(client, session, agent):
    ask_for_a_link(client, agent.email)
    link = link_in(mails(session)[0])
    agent.password_hash = hash_password("changed by the administrator")
    session.commit()
    assert choose_password(client, link).status_code == 410


def test_the_link_expires_after_45_minutes(client, session, agent, clock):
    ask_for_a_link(client, agent.email)
    link = link_in(mails(session)[0])
    clock.advance(minutes=46)
    assert choose_password(client, link).status_code == 410
    reload(session, agent)
    assert verify_password(agent.password_hash, PASSWORD)


def test_a_link_opened_44_minutes_later_still_works(client, session, agent, clock):
    ask_for_a_link(client, agent.email)
    link = link_in(mails(session)[0])
    clock.advance(minutes=44)
    assert choose_password(client, link).status_code == 303


@pytest.mark.parametrize("token", ["nonsense", "eyJhIjoxLCJwIjoiMTIzIn0.aaaa.bbbb", "x" * 600])
def test_a_forged_link_is_refused(client, agent, token):
    link = f"/gestion/mot-de-passe/nouveau?jeton={token}"
    assert choose_password(client, link).status_code == 410


def test_the_token_leaves_the_address_bar(client, session, agent):
    ask_for_a_link(client, agent.email)
    link = link_in(mails(session)[0])
    response = client.get(link)
    assert response.headers["Location"] == "/gestion/mot-de-passe/nouveau"
    page = client.get("/gestion/mot-de-passe/nouveau").get_data(as_text=True)
    assert link.split("=", 1)[1] not in page


@pytest.mark.parametrize(
    ("password", "confirmation", "message"),
    [
        ("", "", "Saisissez un nouveau mot de passe"),
        ("court mais", None, "au moins 12 caractères"),
        ("password1234", None, "trop courant"),
        ("Motdepasse123", None, "trop courant"),
        ("azertyuiop123", None, "trop courant"),
        ("x" * 257, None, "256 caractères au plus"),
        (NEW_PASSWORD, "autre chose encore", "Les deux mots de passe sont différents"),
    ],
)
def test_bad_new_passwords_get_a_message(client, session, agent, password, confirmation, message):
    ask_for_a_link(client, agent.email)
    response = choose_password(client, link_in(mails(session)[0]), password, confirmation)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    reload(session, agent)
    assert verify_password(agent.password_hash, PASSWORD)


@pytest.mark.parametrize(
    "password", ["ÉtéÀLaMer-2026!", "tout en minuscules sans chiffres", "é" * 200]
)
def test_any_long_enough_uncommon_password_is_accepted(client, session, agent, password):
    ask_for_a_link(client, agent.email)
    assert choose_password(client, link_in(mails(session)[0]), password).status_code == 303
    reload(session, agent)
    assert verify_password(agent.password_hash, password)  # no truncation, no case folding
    assert not verify_password(agent.password_hash, password.lower() + "x")


def test_a_reset_ends_every_session_and_lifts_the_lock(app, client, session, agent, clock):
    sign_in(client, agent.email)
    for _ in range(8):
        sign_in(PageClient(app.test_client()), agent.email, "wrong password!!")
    browser = PageClient(app.test_client())
    ask_for_a_link(browser, agent.email)
    assert choose_password(browser, link_in(mails(session)[0])).status_code == 303
    assert client.get("/gestion/").status_code == 303
    session.rollback()
    reasons = session.scalars(
        select(AgentSession.ended_reason).where(AgentSession.agent_id == agent.id)
    ).all()
    assert reasons == ["password-reset"]
    assert sign_in(browser, agent.email, NEW_PASSWORD).status_code == 303


def test_a_reset_does_not_skip_the_second_factor(client, session, agent):
    enrol_totp(session, agent)
    session.commit()
    ask_for_a_link(client, agent.email)
    assert choose_password(client, link_in(mails(session)[0])).status_code == 303
    response = sign_in(client, agent.email, NEW_PASSWORD)
    assert response.headers["Location"].startswith("/gestion/connexion/code")
    assert client.get("/gestion/").headers["Location"].startswith("/gestion/connexion/code")


def test_the_login_page_links_to_the_forgotten_password_page(client):
    page = client.get("/gestion/connexion").get_data(as_text=True)
    assert 'href="/gestion/mot-de-passe-oublie"' in page
