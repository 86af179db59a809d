"""The owner's journey with the Flask client: landing → each question → check → results,
then what the back-office receives; resuming; exits; bad input."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from portal.models import Event, Housing, Owner, Response
from tests.builders import make_campaign, make_collectivite, make_letter
from tests.conftest import csrf_token

ANSWERS = {"situation": "vacant", "vacancy_duration": "gt_2y", "owner_kind": "individual",
           "intention": "rent", "blockers": ["fear_unpaid_rent", "distance"],
           "works_level": "heavy", "energy_label": "F", "accepts_rent_cap": "yes",
           "owner_income_band": "modest"}  # fmt: skip


@pytest.fixture
def opened(client, session):
    collectivite = make_collectivite(session, name="Commune de Nevers")
    letter, token, _ = make_letter(session, make_campaign(session, collectivite),
                                   housing=None, owner=None)  # fmt: skip
    letter.housing.status = "waiting"
    session.commit()
    assert client.get(f"/l/{token}").status_code == 303
    return letter


def answer(client, question_id, value):
    path = f"/diagnostic/{question_id}"
    return client.post(path, data={"answer": value, "csrf_token": csrf_token(client, path)})


def walk(client, answers):
    """Answer whatever the portal asks until the check page; returns the questions asked."""
    asked, location = [], client.get("/diagnostic/").headers["Location"]
    while location.startswith("/diagnostic/") and "verification" not in location:
        question = location.rsplit("/", 1)[1]
        asked.append(question)
        response = answer(client, question, answers[question])
        assert response.status_code == 303, response.get_data(as_text=True)[:500]
        location = response.headers["Location"]
    return asked


def submit(client):
    token = csrf_token(client, "/diagnostic/verification")
    return client.post("/diagnostic/verification", data={"csrf_token": token})


def test_the_whole_journey_reaches_the_back_office(client, session, opened):
    landing = client.get("/mon-logement").get_data(as_text=True)
    assert "Commencer" in landing
    asked = walk(client, ANSWERS)
    assert asked[:3] == ["situation", "vacancy_duration", "owner_kind"]
    check = client.get("/diagnostic/verification").get_data(as_text=True)
    assert "Plus de deux ans" in check
    assert submit(client).headers["Location"] == "/resultats"
    results = client.get("/resultats").get_data(as_text=True)
    assert "Prime de sortie de vacance" not in results or "Commune" in results
    assert "Intermédiation" in results or "intermédiation" in results

    response = session.scalar(select(Response).where(Response.letter_id == opened.id))
    assert response.submitted_at is not None
    assert response.answers["situation"] == "vacant"
    assert response.progress == 100
    kinds = [e.kind for e in session.scalars(
        select(Event).where(Event.letter_id == opened.id).order_by(Event.id))]  # fmt: skip
    assert kinds == ["response:submitted", "housing:status-updated"]
    submitted = session.scalar(select(Event).where(Event.kind == "response:submitted"))
    assert submitted.actor_kind == "owner"
    assert submitted.after["suggested_status"] == "first-contact"
    assert submitted.after["suggested_sub_status"] == "Intérêt potentiel / En réflexion"
    housing = session.get(Housing, opened.housing_id)
    session.refresh(housing)
    assert (housing.status, housing.sub_status, housing.occupancy) == ("first-contact", None, "V")


def test_submitting_twice_creates_nothing_more(client, session, opened):
    walk(client, ANSWERS)
    submit(client)
    submit(client)
    assert session.scalar(select(func.count()).select_from(Event)) == 2
    assert session.scalar(select(func.count()).select_from(Response)) == 1


def test_the_history_keeps_what_the_dwelling_is_and_nothing_about_its_owner(
    client, session, opened
):
    walk(client, ANSWERS)
    submit(client)
    event = session.scalar(select(Event).where(Event.kind == "response:submitted"))
    assert event.after["answers"] == {"situation": "vacant"}
    for private in ("modest", "individual", "fear_unpaid_rent", "rent"):
        assert private not in str(event.after)


def test_changed_answers_submitted_again_are_a_new_return(client, session, opened):
    walk(client, ANSWERS)
    submit(client)
    answer(client, "owner_income_band", "high")
    submit(client)
    submitted = select(func.count()).select_from(Event).where(Event.kind == "response:submitted")
    assert session.scalar(submitted) == 2


def test_a_rented_dwelling_is_asked_nothing_more_and_records_the_occupancy(client, session, opened):
    assert walk(client, {"situation": "rented"}) == ["situation"]
    submit(client)
    session.expire_all()
    housing = session.get(Housing, opened.housing_id)
    assert housing.occupancy == "L"
    assert housing.status == "first-contact"  # never closed by the owner
    event = session.scalar(select(Event).where(Event.kind == "response:submitted"))
    assert event.after["suggested_status"] == "completed"


def test_leaving_and_coming_back_resumes(client, session, opened):
    answer(client, "situation", "vacant")
    answer(client, "vacancy_duration", "gt_2y")
    client.cookie_jar.clear() if hasattr(client, "cookie_jar") else None
    landing = client.get("/mon-logement").get_data(as_text=True)
    assert "Reprendre" in landing
    assert client.get("/diagnostic/").headers["Location"] == "/diagnostic/owner_kind"


def test_a_question_out_of_order_gets_a_409_page(client, opened):
    response = client.get("/diagnostic/energy_label")
    assert response.status_code == 409
    assert "/diagnostic/situation" in response.get_data(as_text=True)
    token = csrf_token(client, "/diagnostic/situation")
    posted = client.post("/diagnostic/energy_label", data={"answer": "G", "csrf_token": token})
    assert posted.status_code == 409


def test_an_answer_can_be_changed_from_the_check_page(client, opened):
    walk(client, ANSWERS)
    assert client.get("/diagnostic/works_level").status_code == 200
    assert answer(client, "works_level", "light").headers["Location"] == "/diagnostic/verification"


@pytest.mark.parametrize(
    ("question", "value", "message"),
    [("situation", "", "Indiquez la situation du logement"),
     ("situation", "demolished", "Choisissez une des réponses proposées"),
     ("situation", "vacant" * 1000, "Choisissez une des réponses proposées"),
     ("situation", "\u202e\x00vacant", "caractères non autorisés")],
)  # fmt: skip
def test_bad_answers_get_a_message_and_store_nothing(client, session, opened, question, value,
                                                     message):  # fmt: skip
    response = answer(client, question, value)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html
    assert re.search(r"<title>Erreur\u00a0: ", html)
    assert session.scalar(select(func.count()).select_from(Response)) == 0


def test_an_answer_without_csrf_token_is_refused(client, session, opened):
    response = client.post("/diagnostic/situation", data={"answer": "vacant"})
    assert response.status_code == 400
    assert session.scalar(select(func.count()).select_from(Response)) == 0


def test_the_results_wait_for_the_submission(client, opened):
    assert client.get("/resultats").headers["Location"] == "/diagnostic/verification"


def leave(client, kind):
    path = f"/sortie/{kind}"
    return client.post(path, data={"csrf_token": csrf_token(client, path)})


def test_do_not_contact_sets_the_owners_flag(client, session, opened):
    assert leave(client, "do_not_contact").headers["Location"] == "/sortie/do_not_contact/merci"
    assert client.get("/sortie/do_not_contact/merci").status_code == 200
    session.expire_all()
    owner = session.get(Owner, opened.owner_id)
    assert owner.do_not_contact and owner.do_not_contact_at is not None
    leave(client, "do_not_contact")
    kinds = sorted(e.kind for e in session.scalars(select(Event)))
    assert kinds == ["owner:updated", "response:do_not_contact"]


@pytest.mark.parametrize("kind", ["sold", "not_owner"])
def test_sold_or_not_owner_goes_to_review_and_deletes_nothing(client, session, opened, kind):
    answer(client, "situation", "vacant")
    leave(client, kind)
    session.expire_all()
    housing = session.get(Housing, opened.housing_id)
    assert housing is not None and housing.occupancy == "V"
    assert housing.status == "first-contact"
    event = session.scalar(select(Event).where(Event.kind == f"response:{kind}"))
    assert event.after["needs_review"] is True
    response = session.scalar(select(Response))
    assert response.answers["situation"] == kind
    assert session.get(Owner, opened.owner_id).do_not_contact is False


def test_an_unknown_exit_is_a_404(client, opened):
    assert client.get("/sortie/emigrated").status_code == 404


def test_owner_pages_need_a_letter(client):
    for path in ["/diagnostic/", "/diagnostic/situation", "/diagnostic/verification",
                 "/resultats", "/sortie/sold"]:  # fmt: skip
        assert client.get(path).status_code == 404, path


def test_the_stepper_counts_the_questions_that_may_still_apply(client, opened):
    first = client.get("/diagnostic/situation").get_data(as_text=True)
    assert "Étape 1 sur 9" in first
    answer(client, "situation", "vacant")
    assert "Étape 2 sur 9" in client.get("/diagnostic/vacancy_duration").get_data(as_text=True)


def _to_blockers(client):
    for question, value in (("situation", "vacant"), ("vacancy_duration", "gt_2y"),
                            ("owner_kind", "individual"), ("intention", "rent")):  # fmt: skip
        assert answer(client, question, value).status_code == 303


def test_nothing_in_particular_is_ticked_alone_or_explained(client, session, opened):
    _to_blockers(client)
    path = "/diagnostic/blockers"
    page = client.get(path).get_data(as_text=True)
    assert 'value="nothing_in_particular"' in page and "data-exclusive" in page
    assert "js/exclusive-option.js" in page  # unticks the others, with JavaScript
    both = client.post(path, data={"answer": ["distance", "nothing_in_particular"],
                                   "csrf_token": csrf_token(client, path)})  # fmt: skip
    assert both.status_code == 400
    html = both.get_data(as_text=True)
    assert "ne peut pas être coché avec une autre réponse" in html
    alone = client.post(path, data={"answer": ["nothing_in_particular"],
                                    "csrf_token": csrf_token(client, path)})  # fmt: skip
    assert alone.status_code == 303
    session.expire_all()
    assert session.scalar(select(Response)).answers["blockers"] == ["nothing_in_particular"]
