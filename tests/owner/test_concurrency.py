"""Two submissions at the same time for one letter leave one consistent Response
(SQLite: BEGIN IMMEDIATE; PostgreSQL: row locks and the unique letter_id)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from portal.models import Event, Response
from tests.builders import make_letter
from tests.conftest import csrf_token

THREADS = 6


@pytest.fixture
def clients(app, session):
    """THREADS browsers sharing one owner session (the same letter, many tabs)."""
    letter, token, _ = make_letter(session)
    letter.housing.status = "waiting"
    session.commit()
    first = app.test_client()
    first.get(f"/l/{token}")
    cookie = first.get_cookie("portal_session")
    others = []
    for _ in range(THREADS - 1):
        other = app.test_client()
        other.set_cookie("portal_session", cookie.value, domain=cookie.domain)
        others.append(other)
    return [first, *others]


def at_once(clients, path, data):
    """POST the same form from every client at the same moment; return the statuses."""
    tokens = [csrf_token(client, path) for client in clients]
    barrier, statuses = threading.Barrier(len(clients)), []

    def post(client, token):
        barrier.wait()
        statuses.append(client.post(path, data={**data, "csrf_token": token}).status_code)

    threads = [
        threading.Thread(target=post, args=pair) for pair in zip(clients, tokens, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


def test_the_same_first_answer_from_many_tabs_makes_one_response(clients, session):
    assert at_once(clients, "/diagnostic/situation", {"answer": "rented"}) == [303] * THREADS
    assert session.scalar(select(func.count()).select_from(Response)) == 1
    assert session.scalar(select(Response)).answers == {"situation": "rented"}


def test_a_double_submission_records_one_return(clients, session):
    token = csrf_token(clients[0], "/diagnostic/situation")
    clients[0].post("/diagnostic/situation", data={"answer": "rented", "csrf_token": token})
    assert at_once(clients, "/diagnostic/verification", {}) == [303] * THREADS
    kinds = sorted(e.kind for e in session.scalars(select(Event)))
    assert kinds == ["housing:occupancy-updated", "housing:status-updated", "response:submitted"]
    assert session.scalar(select(func.count()).select_from(Response)) == 1


def test_many_owners_opening_their_letters_at_once(app, session):
    """A campaign's letters arrive: owners scan their QR codes at the same moment."""
    opened = [make_letter(session) for _ in range(THREADS * 2)]
    session.commit()
    barrier, statuses = threading.Barrier(len(opened)), []

    def scan(token):
        client = app.test_client()
        barrier.wait()
        statuses.append(client.get(f"/l/{token}").status_code)

    threads = [threading.Thread(target=scan, args=(token,)) for _, token, _ in opened]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [303] * len(opened)
    session.expire_all()
    assert all(letter.first_visit_at is not None for letter, _, _ in opened)
