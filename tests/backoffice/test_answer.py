"""An answer's page and what an agent does with it."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from portal.models import AccessLog, Event, HousingPrecision, Note, Response
from portal.owner.journey import record_owner_return, save_answer
from tests.backoffice.answers_support import answered_letter, signed_in_agent
from tests.builders import make_agent, make_collectivite
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


def shown_form(client, response) -> dict:
    """The hidden fields the answer's page gives its forms: the CSRF token and the version
    of the follow-up the page shows."""
    html = client.get(page_of(response)).get_data(as_text=True)
    (version,) = set(re.findall(r'name="version" type="hidden" value="([0-9a-f]+)"', html))
    return {"csrf_token": csrf_token(client, page_of(response)), "version": version}


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
    result = client.post(page_of(response) + "/confirmer", data=shown_form(client, response))
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
    data = shown_form(client, response) | {"status": "completed|Sortie de la vacance",
                                           "occupancy": "L"}  # fmt: skip
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


WHEN = datetime(2026, 12, 1, 21, 40, tzinfo=UTC)  # 22 h 40 in Paris


@pytest.fixture
def marie(app, client, session):
    """An answer returned at WHEN with a call-back request; Marie Dupont signed in."""
    town = make_collectivite(session, name="Commune de Bourges")
    session.commit()
    letter = answered_letter(app, session, town, when=WHEN)
    with app.app_context():
        record_owner_return(
            session,
            letter,
            app.extensions["content"],
            "callback",
            now=WHEN,
            callback={"phone": "+33612345678", "moments": ["morning"]},
        )
    agent = signed_in_agent(client, session, town, full_name="Marie Dupont")
    response = session.scalar(select(Response).where(Response.letter_id == letter.id))
    return letter, agent, response


def text_of(page) -> str:
    """The page's text, runs of spaces and line breaks as one space (no-break spaces kept)."""
    text = BeautifulSoup(page.get_data(as_text=True), "html.parser").get_text()
    return re.sub(r"[ \t\r\n]+", " ", text)


def test_the_page_speaks_in_sentences_dates_and_grouped_phones(client, session, marie):
    _letter, _agent, response = marie
    token = csrf_token(client, page_of(response))
    client.post(
        page_of(response) + "/notes",
        data={"csrf_token": token, "content": "Rappeler", "kind": "Appel sortant - relance"},
    )
    text = text_of(client.get(page_of(response)))
    assert "Dernier retour du propriétaire : 1er décembre 2026 à 22 h 40" in text
    assert "Téléphone : 06 12 34 56 78" in text
    assert "Consentement donné le 1er décembre 2026 à 22 h 40" in text
    assert "Marie Dupont a ajouté une note « Appel sortant - relance »" in text
    assert (
        "Le propriétaire a demandé à être rappelé par téléphone (moments préférés : le matin)"
        in text
    )
    assert "Appel sortant - relance, par Marie Dupont," in text  # the note's author
    assert "housing:" not in text and "response:" not in text  # no raw event kind


def test_opening_the_page_is_recorded_and_changed_answers_are_marked(app, client, session, marie):
    letter, _agent, response = marie
    assert response.opened_at is None
    with app.app_context():  # the owner changes their plan after submitting
        save_answer(session, letter, app.extensions["content"], "intention", "sell")
    text = text_of(client.get(page_of(response)))
    assert "Le vendre Modifiée depuis la dernière lecture Avant : le louer (modifiée le" in text
    assert "Le propriétaire a changé son projet : le louer → le vendre" in text
    session.rollback()
    session.refresh(response)
    assert response.opened_at is not None
    # Opened since: still marked as changed, no longer as unread.
    text = text_of(client.get(page_of(response)))
    assert "Le vendre Modifiée Avant : le louer" in text


def test_precisions_are_folded_by_zlv_family_and_post_as_before(client, session, marie):
    _letter, _agent, response = marie
    page = client.get(page_of(response))
    soup = BeautifulSoup(page.get_data(as_text=True), "html.parser")
    summaries = [s.get_text(strip=True) for s in soup.select("details > summary")]
    assert summaries == ["Dispositifs", "Points de blocage", "Évolutions du logement"]
    assert not any(d.has_attr("open") for d in soup.select("details"))
    legends = [legend.get_text(strip=True) for legend in soup.select("details legend")]
    assert legends[:3] == ["Dispositif incitatif", "Dispositif coercitif", "Hors dispositif public"]
    ticked = ["blocage-involontaire|Succession en cours", "travaux|En cours"]
    result = client.post(
        page_of(response) + "/precisions",
        data=shown_form(client, response) | {"precisions": ticked},
    )
    assert result.status_code == 303
    soup = BeautifulSoup(client.get(page_of(response)).get_data(as_text=True), "html.parser")
    summaries = [s.get_text(strip=True) for s in soup.select("details > summary")]
    assert summaries == [
        "Dispositifs",
        "Points de blocage (1 cochée)",
        "Évolutions du logement (1 cochée)",
    ]
    assert {box["value"] for box in soup.select("input[name=precisions][checked]")} == set(ticked)
    # Two évolutions of one category: the error opens the folds.
    twice = ["travaux|En cours", "travaux|Terminés"]
    refused = client.post(
        page_of(response) + "/precisions",
        data=shown_form(client, response) | {"precisions": twice},
    )
    assert refused.status_code == 400
    soup = BeautifulSoup(refused.get_data(as_text=True), "html.parser")
    assert all(d.has_attr("open") for d in soup.select("details"))
    assert soup.select_one("#precisions-messages").get_text(strip=True)


def test_a_note_of_100000_characters_is_refused_and_kept_in_the_form(client, session, setting):
    _letter, _agent, response = setting
    text = "Appel du 3 décembre. " * 5000  # 105,000 characters
    result = client.post(page_of(response) + "/notes",
                         data=shown_form(client, response) | {"content": text})  # fmt: skip
    html = result.get_data(as_text=True)
    assert result.status_code == 400
    assert "La note est trop longue" in html
    assert html.count("Appel du 3 décembre.") == 5000  # the agent's text is still there
    session.rollback()
    assert session.scalar(select(Note)) is None


@pytest.mark.parametrize("value", [
    "blocage-volontaire|Succession en cours",  # a précision of another category
    "travaux|Effectuée",  # an évolution of another category
    "dispositifs-incitatifs|Conventionnement avec travaux" + "x" * 5000,
])  # fmt: skip
def test_a_precision_from_another_category_is_refused(client, session, setting, value):
    _letter, agent, response = setting
    data = shown_form(client, response) | {
        "precisions": ["blocage-involontaire|Succession en cours", value]
    }
    result = client.post(page_of(response) + "/precisions", data=data)
    assert result.status_code == 400
    assert "Erreur" in result.get_data(as_text=True)
    session.rollback()
    assert session.scalar(select(HousingPrecision)) is None
    assert session.scalar(select(Event).where(Event.agent_id == agent.id)) is None


def test_a_stale_status_form_is_shown_again_with_the_change_and_the_agents_choice(
    app, client, session, setting
):
    """The owner changed an answer after the agent opened the page: saving is refused with a
    message, the agent's choice is still selected, and sending it again saves it."""
    from portal.owner.journey import save_answer

    letter, agent, response = setting
    form = shown_form(client, response)
    with app.app_context():
        save_answer(session, letter, app.extensions["content"], "intention", "sell")
    chosen = form | {"status": "in-progress|Mutation en cours ou effectuée"}
    stale = client.post(page_of(response) + "/statut", data=chosen)
    html = stale.get_data(as_text=True)
    assert stale.status_code == 409
    assert "Cette réponse a changé depuis que vous avez ouvert la page" in html
    assert 'value="in-progress|Mutation en cours ou effectuée" selected' in html
    session.rollback()
    session.refresh(letter.housing)
    assert letter.housing.sub_status is None
    assert session.scalar(select(Event).where(Event.agent_id == agent.id)) is None
    (version,) = set(re.findall(r'name="version" type="hidden" value="([0-9a-f]+)"', html))
    again = client.post(page_of(response) + "/statut", data=chosen | {"version": version})
    assert again.status_code == 303
    session.rollback()
    session.refresh(letter.housing)
    assert letter.housing.sub_status == "Mutation en cours ou effectuée"


def test_a_stale_confirmation_confirms_nothing(app, client, session, setting):
    letter, agent, response = setting
    form = shown_form(client, response)
    session.rollback()  # a new snapshot: the page's reads wrote the access log since
    other = make_agent(session, letter.collectivite)
    from portal.backoffice.answers import answer
    from portal.backoffice.followup import change_status

    with app.app_context():
        change_status(session, other, answer(session, letter.collectivite_id, response.id),
                      "blocked", "Tiers en cause")  # fmt: skip
        session.commit()
    result = client.post(page_of(response) + "/confirmer", data=form)
    assert result.status_code == 303
    page = client.get(page_of(response)).get_data(as_text=True)
    assert "Cette réponse a changé depuis que vous avez ouvert la page" in page
    session.rollback()
    session.refresh(letter.housing)
    assert (letter.housing.status, letter.housing.sub_status) == ("blocked", "Tiers en cause")
    assert session.scalar(select(Event).where(Event.agent_id == agent.id)) is None
