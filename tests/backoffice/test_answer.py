"""An answer's page and what an agent does with it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.models import AccessLog, Event, HousingPrecision, Note, Response
from tests.backoffice.answers_support import answered_letter, signed_in_agent
from tests.builders import make_collectivite
from tests.conftest import csrf_token


@pytest.fixture
def setting(app, client, session):
    town = make_collectivite(session, name="Commune de Bourges")
    session.commit()
    letter = answered_letter(app, session, town)
    agent = signed_in_agent(client, session, town)
    response = session.scalar(select(Response).where(Response.letter_id == letter.id))
    return letter, agent, response


def page_of(response):
    return f"/gestion/reponses/{response.id}"


def test_the_answer_page_shows_answers_suggestion_and_logs_the_read(client, session, setting):
    letter, agent, response = setting
    page = client.get(page_of(response))
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert letter.owner.full_name in html
    assert "Succession en cours" in html  # the blocker "succession", as ZLV says it
    assert "Conventionnement avec travaux" in html  # the works subsidy they saw
    session.rollback()  # end the test session's snapshot: see what the request wrote
    log = session.scalars(select(AccessLog)).all()
    assert [(e.agent_id, e.owner_id, e.action) for e in log] == [
        (agent.id, letter.owner_id, "view")
    ]


def test_one_click_confirms_status_occupancy_and_precisions(client, session, setting):
    letter, agent, response = setting
    token = csrf_token(client, page_of(response))
    result = client.post(page_of(response) + "/confirmer", data={"csrf_token": token})
    assert result.status_code == 303
    session.rollback()
    housing = letter.housing
    session.refresh(housing)
    assert (housing.status, housing.sub_status) == (
        "first-contact",
        "Intérêt potentiel / En réflexion",
    )
    labels = set(session.scalars(select(HousingPrecision.label).where(
        HousingPrecision.housing_id == housing.id)))  # fmt: skip
    assert {"Succession en cours", "Conventionnement avec travaux"} <= labels
    kinds = session.scalars(select(Event.kind).where(Event.agent_id == agent.id)).all()
    assert "housing:precision-attached" in kinds
    session.refresh(response)
    assert response.queue_tab == "follow-up"


def test_a_status_change_writes_an_event_and_closing_moves_the_tab(client, session, setting):
    letter, agent, response = setting
    token = csrf_token(client, page_of(response))
    data = {"csrf_token": token, "status": "completed|Sortie de la vacance", "occupancy": "L"}
    result = client.post(page_of(response) + "/statut", data=data)
    assert result.status_code == 303
    session.rollback()
    session.refresh(response)
    session.refresh(letter.housing)
    assert (letter.housing.status, letter.housing.occupancy) == ("completed", "L")
    assert response.queue_tab == "closed"
    event = session.scalar(select(Event).where(Event.agent_id == agent.id,
                                               Event.kind == "housing:status-updated"))  # fmt: skip
    assert event.after == {"status": "completed", "sub_status": "Sortie de la vacance"}


REFUSED = ["completed|Succession en cours", "first-contact|Sortie de la vacance", "nope|", "",
           "blocked|" + "x" * 300]  # fmt: skip


@pytest.mark.parametrize("pair", REFUSED)
def test_a_pair_zlv_does_not_allow_is_refused_and_nothing_changes(client, session, setting, pair):
    letter, agent, response = setting
    before = (letter.housing.status, letter.housing.sub_status)
    token = csrf_token(client, page_of(response))
    result = client.post(page_of(response) + "/statut", data={"csrf_token": token, "status": pair})
    assert result.status_code == 400
    assert "Erreur" in result.get_data(as_text=True)
    session.rollback()
    session.refresh(letter.housing)
    assert (letter.housing.status, letter.housing.sub_status) == before
    assert session.scalar(select(Event).where(Event.agent_id == agent.id)) is None


def test_notes_are_added_and_a_huge_one_is_refused(client, session, setting):
    _letter, _agent, response = setting
    token = csrf_token(client, page_of(response))
    ok = client.post(
        page_of(response) + "/notes",
        data={"csrf_token": token, "content": "Appelé, rappeler lundi"},
    )
    assert ok.status_code == 303
    huge = client.post(
        page_of(response) + "/notes", data={"csrf_token": token, "content": "x" * 1_000_000}
    )
    assert huge.status_code in (400, 413)
    session.rollback()
    assert [n.content for n in session.scalars(select(Note))] == ["Appelé, rappeler lundi"]


def test_forms_without_csrf_change_nothing(client, session, setting):
    letter, _agent, response = setting
    for action, data in (("/statut", {"status": "completed|"}), ("/notes", {"content": "x"}),
                         ("/confirmer", {}), ("/precisions", {})):  # fmt: skip
        assert client.post(page_of(response) + action, data=data).status_code == 400
    session.rollback()
    session.refresh(letter.housing)
    assert letter.housing.status == "first-contact"
    assert session.scalar(select(Note)) is None


def test_another_collectivites_agent_gets_404_and_changes_nothing(app, client, session, setting):
    letter, _agent, response = setting
    other_client = app.test_client()
    signed_in_agent(other_client, session, make_collectivite(session, name="Ailleurs"))
    token = csrf_token(other_client, "/gestion/")
    assert other_client.get(page_of(response)).status_code == 404
    for action in ("/statut", "/notes", "/confirmer", "/precisions", "/rappel-fait"):
        data = {"csrf_token": token, "status": "completed|", "content": "x"}
        assert other_client.post(page_of(response) + action, data=data).status_code == 404
    session.rollback()
    session.refresh(letter.housing)
    assert letter.housing.status == "first-contact"
    assert session.scalar(select(AccessLog)) is None
