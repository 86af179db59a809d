"""Experiments and /stats in Chromium, as their users go: an admin signs in, opens
« Expériences » from the header, writes a draft (bad input first), computes the letters
needed, launches it, reads the pre-registration, stops it and reads the analysis; a
visitor follows « Statistiques » from the footer of the home page and then a finished
experiment's pre-registration. axe-core on every page, at 1,280 and 390 px; nothing wider
than the screen. With PORTAL_SCREENSHOTS set to a directory, each page is saved there."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from portal.experiments.assign import assign_letters
from tests.builders import make_agent, make_campaign, make_collectivite
from tests.experiments.letters import add_letters, freeze, make_letter_experiment

from .axe import axe_check
from .test_backoffice_navigation import shoot
from .test_housings import open_navigation_entry, sign_in

pytestmark = pytest.mark.browser
_numbers = itertools.count(1)


@pytest.fixture
def admin(live_app):
    with Session(live_app.extensions["database"], expire_on_commit=False) as session:
        town = make_collectivite(session, name=f"Commune d’Auxerre {next(_numbers)}")
        make_campaign(session, town, title="Vacants 2026")
        email = make_agent(session, town, role="admin").email
        session.commit()
        return email


def fits(page: Page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", [1280, 390])
def test_an_admin_registers_launches_and_analyses_an_experiment(browser_page, admin, width):
    page: Page = browser_page
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, admin)
    open_navigation_entry(page, "Expériences", width)
    page.wait_for_url("**/gestion/experiences")
    axe_check(page)
    page.get_by_role("link", name="Nouvelle expérience").click()
    page.wait_for_url("**/gestion/experiences/nouvelle")
    axe_check(page)

    page.get_by_label("Hypothèse").fill("Un courrier plus simple fera scanner plus de QR codes.")
    page.get_by_label("Poids du bras 2").fill("zéro")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.locator("h1")).to_have_text("Nouvelle expérience")
    expect(page).to_have_title(re.compile("^Erreur"))
    summary = page.locator(".fr-alert--error")
    expect(summary).to_contain_text("Donnez un titre à l’expérience")
    expect(page.get_by_label("Hypothèse")).to_have_value(
        "Un courrier plus simple fera scanner plus de QR codes.")  # fmt: skip
    axe_check(page)
    assert all("HTTP 400" in p or "status of 400" in p for p in page.problems)
    page.problems.clear()  # the refused form's 400, and only it

    page.get_by_label("Titre").fill("Courrier simplifié")
    page.get_by_label("Bras témoin\u00a0: formulation").select_option("standard")
    page.get_by_label("Poids du bras 1").fill("1")
    page.get_by_label("Bras 2\u00a0: formulation").select_option("simplified")
    page.get_by_label("Poids du bras 2").fill("1")
    page.get_by_text("Courrier ouvert sur le portail", exact=False).first.check()
    page.get_by_label("Taux attendu dans le bras témoin (en\u00a0%)").fill("5")
    page.get_by_label("Nombre de courriers prévus (tous bras)").fill("400")
    page.get_by_label("Date d’analyse").fill((date.today() + timedelta(days=60)).isoformat())
    page.get_by_text("Vacants 2026").check()
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.wait_for_url(re.compile(r".*/gestion/experiences/\d+$"))
    expect(page.get_by_text("Prête à être lancée")).to_be_visible()
    axe_check(page)
    fits(page, width)

    page.get_by_label("Taux attendu dans le bras témoin (en\u00a0%)").fill("5")
    page.get_by_label("Effet à détecter (en points de pourcentage)").fill("2")
    page.get_by_role("button", name="Calculer").click()
    expect(
        page.get_by_text(re.compile(r"^[\d\s\u202f\u00a0]+ courriers nécessaires"))
    ).to_be_visible()
    axe_check(page)
    shoot(page, f"experiments-{width}-1-draft")

    page.get_by_role("link", name="Lancer l’expérience").click()
    expect(page.locator("h1")).to_have_text("Lancer l’expérience «\u00a0Courrier simplifié\u00a0»")
    expect(page.get_by_text("Lancer fige la préinscription")).to_be_visible()
    axe_check(page)
    fits(page, width)
    shoot(page, f"experiments-{width}-1b-launch")
    page.get_by_role("button", name="Confirmer le lancement").click()
    expect(page.get_by_text("L’expérience est lancée")).to_be_visible()
    page.get_by_role("link", name="Préinscription").click()
    expect(page.locator("h1")).to_contain_text("Préinscription")
    expect(page.locator("code")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    axe_check(page)
    fits(page, width)
    shoot(page, f"experiments-{width}-2-registration")

    page.get_by_role("link", name="Retour à l’expérience").click()
    page.get_by_role("link", name="Analyse").click()
    expect(page.get_by_text(re.compile("Résultats masqués jusqu’au"))).to_be_visible()
    axe_check(page)
    fits(page, width)
    shoot(page, f"experiments-{width}-3-analysis")
    assert page.problems == [], "\n".join(page.problems)


def finished_experiment(session: Session, town, title: str):
    """An experiment of `town` past its analysis date, launched, with opened letters."""
    now = datetime.now(UTC)
    campaign = make_campaign(session, town, sent_at=date.today() - timedelta(days=70))
    letters = add_letters(session, campaign, 60, ("Particulier", "Personne morale"))
    experiment = make_letter_experiment(session, [campaign], analysis_date=date.today(),
                                        title=title, baseline_rate=0.3)  # fmt: skip
    assign_letters(session, campaign, now=now)
    for letter in letters[:24]:
        letter.first_visit_at = now
    return freeze(experiment, now)


@pytest.fixture
def analysed(live_app):
    """An admin and an experiment of theirs whose results are shown."""
    with Session(live_app.extensions["database"], expire_on_commit=False) as session:
        town = make_collectivite(session, name=f"Commune de Joigny {next(_numbers)}")
        email = make_agent(session, town, role="admin").email
        experiment = finished_experiment(session, town, "Courrier court")
        session.commit()
        return email, experiment.id


@pytest.mark.parametrize("width", [1280, 320])
def test_an_admin_reads_the_results_of_a_finished_experiment(browser_page, analysed, width):
    email, experiment_id = analysed
    page: Page = browser_page
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, email)
    page.goto(f"/gestion/experiences/{experiment_id}/analyse")
    expect(page.locator("h1")).to_have_text("Analyse\u00a0: Courrier court")
    for caption in ("Courriers affectés par bras", "chaque bras comparé au témoin",
                    "Du courrier au rappel, sur tous les courriers de chaque bras"):  # fmt: skip
        expect(page.locator("caption", has_text=caption).first).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Télécharger les unités"))).to_be_visible()
    axe_check(page)
    fits(page, width)
    shoot(page, f"experiments-{width}-4-results")
    page.get_by_role("link", name="voir la préinscription").click()
    expect(page.locator("pre")).to_contain_text('"code_version":"portal.experiments.assign v1"')
    axe_check(page)
    fits(page, width)
    assert page.problems == [], "\n".join(page.problems)


@pytest.fixture
def finished(live_app):
    """A collectivité's experiment past its analysis date, with opened letters."""
    with Session(live_app.extensions["database"], expire_on_commit=False) as session:
        town = make_collectivite(session, name=f"Commune de Sens {next(_numbers)}")
        experiment = finished_experiment(session, town, f"Courrier simplifié {next(_numbers)}")
        session.commit()
        return experiment.title


@pytest.mark.parametrize("width", [1280, 320])
def test_a_visitor_reads_the_statistics_from_the_footer(browser_page, finished, width):
    page: Page = browser_page
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/")
    page.locator("footer").get_by_role("link", name="Statistiques").click()
    page.wait_for_url("**/stats")
    expect(page.locator("h1")).to_have_text("Statistiques")
    assert page.locator("svg[role=img]").count() == 4
    expect(page.get_by_role("heading", name=finished)).to_be_visible()
    axe_check(page)
    fits(page, width)
    shoot(page, f"stats-{width}")
    page.get_by_role("link", name=f"Préinscription de «\u00a0{finished}\u00a0»").click()
    expect(page.locator("h1")).to_contain_text(finished)
    axe_check(page)
    fits(page, width)
    assert page.problems == [], "\n".join(page.problems)
