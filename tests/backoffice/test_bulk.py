"""Bulk actions on the queue's ticked answers: one transaction for the whole selection, an
Event per change, nothing done when one answer is not the collectivité's or the pair is
not ZLV's."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from portal.backoffice import bulk
from portal.backoffice.followup import FollowupError
from portal.models import Event, Housing, HousingPrecision, Response
from tests.backoffice.answers_support import answered_letter, signed_in_agent
from tests.builders import make_collectivite, make_owner
from tests.conftest import csrf_token

QUEUE = "/gestion/reponses"


@pytest.fixture
def answers(app, session, town):
    """Three answers in the "new" tab: (response id, housing id) each."""
    letters = [answered_letter(app, session, town) for _ in range(3)]
    return [
        (session.scalar(select(Response.id).where(Response.letter_id == letter.id)),
         letter.housing_id)
        for letter in letters
    ]  # fmt: skip


@pytest.fixture
def agent(client, session, town):
    return signed_in_agent(client, session, town)


def post(client, action, ids, **fields):
    data = {"csrf_token": csrf_token(client, QUEUE), "onglet": "new", "reponse": ids} | fields
    return client.post(f"{QUEUE}/selection/{action}", data=data)


def statuses(session, housing_ids):
    session.rollback()  # end the test session's snapshot: see what the requests wrote
    return [
        session.execute(select(Housing.status, Housing.sub_status).where(Housing.id == id_)).one()
        for id_ in housing_ids
    ]  # fmt: skip


def agent_events(session, agent):
    return session.scalars(select(Event).where(Event.agent_id == agent.id)).all()


def test_the_queue_page_has_a_checkbox_per_answer_in_one_post_form(client, agent, answers):
    page = client.get(QUEUE)  # the page checks: labelled inputs, forms with a CSRF token
    soup = BeautifulSoup(page.get_data(as_text=True), "html.parser")
    boxes = soup.find_all("input", attrs={"name": "reponse"})
    assert sorted(int(box["value"]) for box in boxes) == sorted(id_ for id_, _h in answers)
    (form,) = {box.find_parent("form") for box in boxes}
    assert form["method"] == "post" and form.find("select", attrs={"name": "status"})
    actions = {button.get("formaction") or form["action"] for button in form.find_all("button")}
    selection = f"{QUEUE}/selection"
    assert actions == {f"{selection}/statut", f"{selection}/precision",
                       f"{selection}/export.csv", f"{selection}/export.xlsx"}  # fmt: skip
    exports = soup.find("form", attrs={"action": f"{QUEUE}/export.csv"})
    assert exports["method"] == "post"
    assert exports.find("input", attrs={"name": "onglet"})["value"] == "new"


def test_a_status_for_three_answers_writes_three_events_and_moves_them(
    client, session, agent, answers
):
    ids = [id_ for id_, _h in answers]
    result = post(client, "statut", ids, status="completed|Sortie de la vacance", occupancy="L")
    assert result.status_code == 303
    assert result.headers["Location"].startswith(QUEUE + "?")
    assert "onglet=new" in result.headers["Location"]
    assert (
        statuses(session, [h for _id, h in answers]) == [("completed", "Sortie de la vacance")] * 3
    )
    events = agent_events(session, agent)
    assert (
        sorted(e.kind for e in events)
        == ["housing:occupancy-updated"] * 3 + ["housing:status-updated"] * 3
    )
    assert {e.housing_id for e in events} == {h for _id, h in answers}
    tabs = session.scalars(select(Response.queue_tab).where(Response.id.in_(ids))).all()
    assert tabs == ["closed"] * 3
    page = client.get(result.headers["Location"]).get_data(as_text=True)
    assert "Statut de suivi enregistré pour 3 réponses." in page
    assert "Clôturées (3)" in page and "Nouvelles (0)" in page


def test_a_foreign_answer_in_the_selection_changes_nothing(app, client, session, agent,
                                                            answers):  # fmt: skip
    other = make_collectivite(session, name="Commune voisine")
    session.commit()
    odile = make_owner(session, other, full_name="Odile Ailleurs")
    foreign = answered_letter(app, session, other, owner=odile)
    foreign_id = session.scalar(select(Response.id).where(Response.letter_id == foreign.id))
    ids = [id_ for id_, _h in answers]
    for extra in (foreign_id, 999_999):
        for action, fields in (("statut", {"status": "completed|"}),
                               ("precision", {"precision": "travaux|En cours"})):  # fmt: skip
            assert post(client, action, [*ids, extra], **fields).status_code == 404
    housing_ids = [h for _id, h in answers] + [foreign.housing_id]
    assert statuses(session, housing_ids) == [("first-contact", None)] * 4
    assert agent_events(session, agent) == []
    assert session.scalar(select(HousingPrecision)) is None


REFUSED = ["completed|Succession en cours", "first-contact|Sortie de la vacance", "nope|", "",
           "blocked|" + "x" * 300]  # fmt: skip


@pytest.mark.parametrize("pair", REFUSED)
def test_a_pair_zlv_does_not_allow_is_refused_and_nothing_changes(client, session, agent,
                                                                  answers, pair):  # fmt: skip
    ids = [id_ for id_, _h in answers]
    result = post(client, "statut", ids, status=pair)
    assert result.status_code == 400
    html = result.get_data(as_text=True)
    assert "Erreur" in html
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find("select", attrs={"name": "status"})["aria-invalid"] == "true"
    ticked = [int(box["value"]) for box in soup.find_all("input", attrs={"name": "reponse"})
              if box.has_attr("checked")]  # fmt: skip
    assert sorted(ticked) == sorted(ids)  # the selection is kept
    assert statuses(session, [h for _id, h in answers]) == [("first-contact", None)] * 3
    assert agent_events(session, agent) == []


def test_the_service_refuses_a_pair_zlv_does_not_allow(app, session, town, agent, answers):
    rows = bulk.selected_rows(session, town.id, [id_ for id_, _h in answers])
    with pytest.raises(FollowupError):
        bulk.change_status_of(session, agent, rows, "completed", "Succession en cours")
    with pytest.raises(FollowupError):
        bulk.attach_precision_to(session, agent, rows, ("travaux", "Succession en cours"))


def test_the_whole_selection_is_one_transaction(client, session, agent, answers, monkeypatch):
    real, calls = bulk.change_status, []

    def fails_on_the_third(session_, agent_, row, *args):
        calls.append(row.response.id)
        if len(calls) == 3:
            raise FollowupError("not-allowed-pair")
        return real(session_, agent_, row, *args)

    monkeypatch.setattr(bulk, "change_status", fails_on_the_third)
    result = post(client, "statut", [id_ for id_, _h in answers], status="completed|")
    assert result.status_code == 400
    assert len(calls) == 3  # two answers were changed in the session, then rolled back
    assert statuses(session, [h for _id, h in answers]) == [("first-contact", None)] * 3
    assert agent_events(session, agent) == []


def test_forms_without_csrf_change_nothing(client, session, agent, answers):
    ids = [id_ for id_, _h in answers]
    for action, fields in (("statut", {"status": "completed|"}),
                           ("precision", {"precision": "travaux|En cours"})):  # fmt: skip
        result = client.post(f"{QUEUE}/selection/{action}", data={"reponse": ids, **fields})
        assert result.status_code == 400
    assert statuses(session, [h for _id, h in answers]) == [("first-contact", None)] * 3
    assert agent_events(session, agent) == []


@pytest.mark.parametrize(
    ("selection", "message"),
    [([], "Cochez au moins une réponse"), (["1x"], "La sélection n’est pas valide"),
     (["99999999999999999999999"], "La sélection n’est pas valide"),
     ([str(n) for n in range(1, 502)], "Choisissez au plus 500 réponses à la fois")],
)  # fmt: skip
def test_a_bad_selection_gets_a_message(client, session, agent, answers, selection, message):
    result = post(client, "statut", selection, status="completed|")
    assert result.status_code == 400
    assert message in result.get_data(as_text=True)
    assert statuses(session, [h for _id, h in answers]) == [("first-contact", None)] * 3


def test_a_precision_is_attached_to_every_dwelling_and_an_evolution_replaces_its_own(
    client, session, agent, answers
):
    ids, housing_ids = [id_ for id_, _h in answers], [h for _id, h in answers]
    assert post(client, "precision", ids[:2], precision="travaux|À venir").status_code == 303
    assert post(client, "precision", ids[:2], precision="travaux|En cours").status_code == 303
    blocking = "blocage-involontaire|Succession en cours"
    assert post(client, "precision", ids, precision=blocking).status_code == 303
    session.rollback()

    def labels(housing_id):
        attached = select(HousingPrecision.label).where(HousingPrecision.housing_id == housing_id)
        return sorted(session.scalars(attached))

    assert [labels(h) for h in housing_ids] == [["En cours", "Succession en cours"]] * 2 + [
        ["Succession en cours"]
    ]
    kinds = sorted(e.kind for e in agent_events(session, agent))
    assert kinds.count("housing:precision-attached") == 2 + 2 + 3
    assert kinds.count("housing:precision-detached") == 2  # "À venir" replaced


@pytest.mark.parametrize("precision", ["", "travaux|Nope", "nope|En cours", "x" * 500])
def test_an_unknown_precision_is_refused(client, session, agent, answers, precision):
    result = post(client, "precision", [id_ for id_, _h in answers], precision=precision)
    assert result.status_code == 400
    assert "Erreur" in result.get_data(as_text=True)
    session.rollback()
    assert session.scalar(select(HousingPrecision)) is None
