"""The sign-in service's outcomes, step by step (the views only map them to pages), and
the enrolment page that shows a secret without writing anything."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.backoffice import sessions, signin, totp
from portal.backoffice.signin import Outcome
from portal.models import AgentSession
from portal.models.base import Base
from tests.builders import PASSWORD, make_agent, totp_code
from tests.conftest import sign_in

UNKNOWN = "personne@commune.example"


@pytest.fixture
def request_context(app):
    with app.test_request_context("/gestion/connexion", method="POST"):
        yield


def wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def test_the_password_step(request_context, app, session, agent, enrolled, clock, monkeypatch):
    other = make_agent(session, agent.collectivite, email="sans.code@commune.example")
    session.commit()
    assert signin.sign_in(f"  {other.email.upper()} ", PASSWORD) is Outcome.SIGNED_IN
    assert signin.sign_in(enrolled.email, PASSWORD) is Outcome.NEEDS_CODE
    monkeypatch.setitem(app.config, "AGENT_TOTP_REQUIRED", True)
    assert signin.sign_in(other.email, PASSWORD) is Outcome.NEEDS_ENROLMENT
    assert sessions.current().agent_id == other.id


def test_every_password_failure_is_refused_alike(request_context, session, agent, clock):
    assert signin.sign_in(agent.email, "not the password at all") is Outcome.REFUSED
    assert signin.sign_in(UNKNOWN, PASSWORD) is Outcome.REFUSED
    for _ in range(7):
        signin.sign_in(agent.email, "not the password at all")
    assert signin.sign_in(agent.email, PASSWORD) is Outcome.REFUSED  # locked: not told
    agent.is_active = False
    session.commit()
    clock.advance(minutes=31)
    assert signin.sign_in(agent.email, PASSWORD) is Outcome.REFUSED
    assert sessions.current() is None
    assert session.scalars(select(AgentSession)).all() == []


def test_the_code_step(request_context, session, enrolled, clock):
    assert signin.sign_in(enrolled.email, PASSWORD) is Outcome.NEEDS_CODE
    record = sessions.current()
    token = record.token_hash
    assert signin.check_code(record, wrong(totp_code(enrolled))) is Outcome.WRONG_CODE
    assert signin.check_code(record, totp_code(enrolled)) is Outcome.SIGNED_IN
    assert record.mfa_passed_at == clock.now() and record.token_hash != token


def test_the_code_that_locks_ends_the_session(request_context, session, enrolled, clock):
    signin.sign_in(enrolled.email, PASSWORD)
    record = sessions.current()
    for _ in range(7):
        assert signin.check_code(record, wrong(totp_code(enrolled))) is Outcome.WRONG_CODE
    assert signin.check_code(record, wrong(totp_code(enrolled))) is Outcome.LOCKED
    session.rollback()
    assert session.scalar(select(AgentSession.ended_reason)) == "locked"


def test_the_enrolment_step(request_context, app, session, agent, clock, monkeypatch):
    monkeypatch.setitem(app.config, "AGENT_TOTP_REQUIRED", True)
    signin.sign_in(agent.email, PASSWORD)
    record = sessions.current()
    secret = totp.enrolment_secret(record)
    code = totp.code_at(secret, totp.current_step())
    assert signin.enrol(record, "not the password at all", code) is Outcome.WRONG_PASSWORD
    assert signin.enrol(record, PASSWORD, wrong(code)) is Outcome.WRONG_CODE
    assert not record.agent.has_totp
    assert signin.enrol(record, PASSWORD, code) is Outcome.ENROLLED
    assert record.agent.totp_secret == secret and record.mfa_passed_at == clock.now()
    clock.advance(seconds=30)
    new_secret = totp.enrolment_secret(record)  # a new token, a new secret
    assert new_secret != secret
    code = totp.code_at(new_secret, totp.current_step())
    assert signin.enrol(record, PASSWORD, code) is Outcome.REPLACED
    assert record.agent.totp_secret == new_secret


def test_a_wrong_password_that_locks_ends_the_enrolment(request_context, session, agent, clock):
    signin.sign_in(agent.email, PASSWORD)
    record = sessions.current()
    for _ in range(7):
        assert signin.enrol(record, "not the password", "123456") is Outcome.WRONG_PASSWORD
    assert signin.enrol(record, "not the password", "123456") is Outcome.LOCKED
    session.rollback()
    assert session.scalar(select(AgentSession.ended_reason)) == "locked"


def database_rows(session) -> dict[str, list[tuple]]:
    session.rollback()
    return {
        table.name: sorted(map(tuple, session.execute(table.select()).all()), key=repr)
        for table in Base.metadata.sorted_tables
    }


def test_showing_the_enrolment_page_writes_nothing(client, session, agent, clock, totp_on):
    sign_in(client, agent.email)
    before = database_rows(session)
    page = client.get("/gestion/compte/double-authentification")
    qr = client.get("/gestion/compte/double-authentification/qr-code.svg")
    again = client.get("/gestion/compte/double-authentification")
    assert page.status_code == qr.status_code == again.status_code == 200
    assert database_rows(session) == before
    shown = re.search(r"<code>([A-Z2-7 ]+)</code>", page.get_data(as_text=True)).group(1)
    assert shown in again.get_data(as_text=True)  # the same secret until it is confirmed
    # The secret is in no URL: not in the page's links, forms or image, nor a redirect.
    secret = shown.replace(" ", "")
    for url in re.findall(r'(?:href|src|action)="([^"]*)"', page.get_data(as_text=True)):
        assert secret not in url and secret.lower() not in url
