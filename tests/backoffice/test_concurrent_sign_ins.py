"""Agents signing in at the same moment never meet "database is locked" (issue 12).

On SQLite (a file, WAL) a transaction that read first and writes later fails at once when
another connection wrote meanwhile: busy_timeout does not help it. Every transaction that
writes starts as a write transaction (portal.database.begin_write), so the writers wait for
each other instead. The same test runs on PostgreSQL with TEST_DATABASE_URL.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.backoffice import sessions
from portal.models import AccessLog, AgentSession, HousingOwner
from tests.builders import PASSWORD, make_agent, make_housing, make_owner
from tests.conftest import csrf_token

THREADS = 2
ROUNDS = 20


@pytest.fixture
def agents(session, town):
    agents = [make_agent(session, town) for _ in range(THREADS)]
    session.add(HousingOwner(housing=make_housing(session, town), owner=make_owner(session, town),
                             rank=1))  # fmt: skip
    session.commit()
    return agents


def sign_ins(app, agent, number: int, barrier, problems: list, statuses: list) -> None:
    """ROUNDS sign-ins of `agent` from one browser: a wrong password every other round,
    the right one, the housings' list (the access log), the account page, the sign-out."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = f"192.0.2.{number + 1}"  # each its own rate limit
    barrier.wait()
    for round_ in range(ROUNDS):
        try:
            token = csrf_token(client, "/gestion/connexion")
            form = {"email": agent.email, "csrf_token": token}
            if round_ % 2:
                wrong = client.post("/gestion/connexion", data={**form, "password": "wrong"})
                statuses.append(wrong.status_code)
            signed = client.post("/gestion/connexion", data={**form, "password": PASSWORD})
            statuses.append(signed.status_code)
            statuses.append(client.get("/gestion/logements").status_code)
            statuses.append(client.get("/gestion/compte").status_code)
            logout = csrf_token(client, "/gestion/compte")
            statuses.append(
                client.post("/gestion/deconnexion", data={"csrf_token": logout}).status_code
            )
        except Exception as error:  # the test reports every failure
            problems.append(repr(error))


def test_two_agents_signing_in_at_once_meet_no_locked_database(app, session, agents, monkeypatch):
    monkeypatch.setattr(sessions, "TOUCH_EVERY", timedelta(0))  # every request touches
    barrier, problems, statuses = threading.Barrier(THREADS), [], []
    threads = [
        threading.Thread(target=sign_ins, args=(app, agent, n, barrier, problems, statuses))
        for n, agent in enumerate(agents)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert [p for p in problems if "database is locked" in p] == []
    assert problems == []
    assert 500 not in statuses
    assert set(statuses) <= {200, 303, 400}
    session.rollback()
    ended = select(func.count()).select_from(AgentSession).where(AgentSession.ended_at.isnot(None))
    assert session.scalar(ended) == THREADS * ROUNDS
    assert session.scalar(select(func.count()).select_from(AccessLog)) >= THREADS * ROUNDS
