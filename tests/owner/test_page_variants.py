"""The owner's landing and results pages print the texts of their page experiment's arm:
today's texts without experiment, the arm's once the letter is drawn, in French and
English; the arm is recorded when the page is shown, and the landing's cache keeps arms
apart."""

from __future__ import annotations

import html as html_module

import pytest
from sqlalchemy import select

from portal.config import ROOT
from portal.experiments.wordings import page_variants
from portal.models import Response
from portal.models.experiment import ExperimentUnit
from tests.builders import make_campaign, make_collectivite, make_letter
from tests.experiments.pages import make_page_experiment
from tests.owner.test_journey import ANSWERS, submit, walk

LANDING = page_variants(ROOT / "guidance_content", "landing")
RESULTS = page_variants(ROOT / "guidance_content", "results")
# Today's texts, as the templates printed them before they became content.
TODAY_LANDING_FR = (
    "Selon les fichiers fiscaux, ce logement est inoccupé depuis plus de deux ans. Votre "
    "collectivité aide les propriétaires à remettre leur logement en location, à le vendre ou "
    "à faire des travaux, et peut vous mettre en relation avec les bons interlocuteurs.",
    "Répondez à quelques questions, une par page\u00a0: cela prend environ 3 minutes. Vous "
    "verrez ensuite les aides qui pourraient vous correspondre. Vos réponses sont enregistrées "
    "à chaque étape\u00a0: vous pourrez reprendre plus tard avec le même QR code.",
    "Commencer",
)
TODAY_LANDING_EN = (
    "According to tax records, no one has lived in this property for more than two years.",
    "Answer a few questions, one per page: it takes about 3 minutes.",
    "Start",
)
TODAY_RESULTS_FR = (
    "Être rappelé",
    "Un agent de votre collectivité peut vous rappeler pour en parler, gratuitement.",
    "Demander un rappel",
)


def page(response) -> str:
    assert response.status_code == 200
    return html_module.unescape(response.get_data(as_text=True))


def units(session) -> list[ExperimentUnit]:
    session.commit()  # a new transaction sees the other sessions' writes
    session.expire_all()
    return list(session.scalars(select(ExperimentUnit)))


def opened_letter(app, session, campaign):
    letter, token, _code = make_letter(session, campaign)
    session.commit()
    client = app.test_client()
    assert client.get(f"/l/{token}").status_code == 303
    return letter, client


@pytest.fixture
def campaign(session):
    return make_campaign(session, make_collectivite(session))


def test_without_experiment_the_landing_prints_todays_texts(client, session, opened):
    html = page(client.get("/mon-logement"))
    assert all(text in html for text in TODAY_LANDING_FR)
    client.get("/langue/en?next=/mon-logement")
    html = page(client.get("/mon-logement"))
    assert all(text in html for text in TODAY_LANDING_EN)
    assert units(session) == []


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_landing_prints_the_arm_the_letter_was_drawn_into(app, session, campaign, language):
    make_page_experiment(session, [campaign])
    session.commit()
    letter, client = opened_letter(app, session, campaign)
    if language == "en":
        client.get("/langue/en?next=/mon-logement")
    html = page(client.get("/mon-logement"))
    [unit] = units(session)
    assert unit.letter_id == letter.id and unit.exposed_at is not None
    texts = LANDING[unit.arm].texts[language]
    assert texts["lead"] in html and texts["how"] in html and texts["start"] in html
    other = "simplified" if unit.arm == "standard" else "standard"
    assert LANDING[other].texts[language]["lead"] not in html
    page(client.get("/mon-logement"))
    assert len(units(session)) == 1  # exposure written once


def test_the_cache_never_shows_one_arm_to_another(app, session, campaign):
    make_page_experiment(session, [campaign])
    session.commit()
    seen = {}
    for _ in range(16):  # enough letters for both arms (each 1 in 2)
        letter, client = opened_letter(app, session, campaign)
        for _view in range(2):  # the second view comes from the cache
            html = page(client.get("/mon-logement"))
            arm = session.scalar(select(ExperimentUnit.arm)
                                 .where(ExperimentUnit.letter_id == letter.id))  # fmt: skip
            assert LANDING[arm].texts["fr"]["lead"] in html
        seen[arm] = seen.get(arm, 0) + 1
    assert set(seen) == {"standard", "simplified"}


def test_a_landing_without_the_texts_records_no_exposure(app, session, campaign):
    letter, client = opened_letter(app, session, campaign)
    session.add(Response(collectivite_id=letter.collectivite_id, letter_id=letter.id,
                         answers={"situation": "vacant"},
                         submitted_at=letter.created_at))  # fmt: skip
    make_page_experiment(session, [campaign])
    session.commit()
    assert "Vous avez déjà répondu" in page(client.get("/mon-logement"))
    assert units(session) == []


@pytest.mark.parametrize("arm", ["standard", "fresh-start", "simplified"])
def test_the_results_page_prints_its_arms_texts(app, session, campaign, arm):
    make_page_experiment(session, [campaign], page="results",
                         arms=[{"variant": arm, "weight": 1}])  # fmt: skip
    session.commit()
    _letter, client = opened_letter(app, session, campaign)
    walk(client, ANSWERS)
    assert submit(client).status_code == 303
    assert units(session) == []  # the landing has no experiment; results not shown yet
    html = page(client.get("/resultats"))
    texts = RESULTS[arm].texts["fr"]
    assert all(text in html for text in texts.values())
    if arm == "standard":
        assert all(text in html for text in TODAY_RESULTS_FR)
    else:
        assert RESULTS["standard"].texts["fr"]["talk_text"] not in html
    [unit] = units(session)
    assert unit.arm == arm
    client.get("/langue/en?next=/resultats")
    html = page(client.get("/resultats"))
    assert RESULTS[arm].texts["en"]["talk_text"] in html
    assert len(units(session)) == 1
