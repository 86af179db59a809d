"""The "Logements" page and "Créer une campagne" in Chromium, as an agent goes through them:
sign in, reach Logements from the header's navigation, filter, tick two rows, create the
campaign and land on its page; axe-core on each page, with a form error too, at 1,280 and
390 px. With PORTAL_SCREENSHOTS set to a directory, each page is saved there."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Campaign, HousingOwner, Letter
from tests.builders import PASSWORD, make_agent, make_collectivite, make_housing, make_owner

from .axe import axe_check
from .test_backoffice_navigation import shoot

pytestmark = pytest.mark.browser


@pytest.fixture
def agent_with_housings(live_app):
    """An agent's e-mail and their collectivité's id: six housings, three with a G rating
    (one of whose owners is not to be contacted), in Nevers and in a commune with no name."""
    with Session(live_app.extensions["database"], expire_on_commit=False) as session:
        town = make_collectivite(session, name="Commune de Nevers", perimeter=["58194"])
        agent = make_agent(session, town)
        for n, (label, code) in enumerate(
            [
                ("G", "58194"),
                ("G", "58194"),
                ("G", "99999"),
                ("D", "58194"),
                ("C", "58194"),
                ("E", "99999"),
            ]
        ):
            housing = make_housing(
                session,
                town,
                energy_label=label,
                insee_code=code,
                address_lines=[f"{n + 1} rue des Forges", "58000 Nevers"],
                living_area=40 + n,
                vacancy_start_year=2015 + n,
            )
            owner = make_owner(
                session, town, full_name=f"Propriétaire {n + 1}", do_not_contact=n == 2
            )
            session.add(HousingOwner(housing=housing, owner=owner, rank=1))
        session.commit()  # fmt: skip
        return agent.email, town.id


def sign_in(page: Page, email: str) -> None:
    page.goto("/gestion/connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/gestion/reponses")


def open_navigation_entry(page: Page, name: str, width: int) -> None:
    if width < 992:  # the DSFR's "lg" breakpoint: the navigation is in the "Menu" modal
        page.get_by_role("button", name="Menu", exact=True).click()
    nav = page.locator("nav#navigation-principale")
    nav.get_by_role("link", name=re.compile(f"^{name}")).click()


@pytest.mark.parametrize("width", [1280, 390])
def test_an_agent_creates_a_campaign_from_ticked_housings(
    browser_page, live_app, agent_with_housings, width
):
    email, town_id = agent_with_housings
    page = browser_page
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, email)
    open_navigation_entry(page, "Logements", width)
    page.wait_for_url("**/gestion/logements")
    expect(page.locator("h2").first).to_have_text(re.compile(r"6 logements,\s+6 propriétaires"))
    axe_check(page)
    shoot(page, f"housings-{width}-list")

    page.get_by_label("G", exact=True).check(force=True)  # the DSFR label covers the box
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_url("**/gestion/logements?dpe=G")
    expect(page.locator("h2").first).to_have_text(re.compile(r"3 logements,\s+3 propriétaires"))
    expect(page.get_by_role("cell", name="99999", exact=True).first).to_be_visible()
    axe_check(page)
    shoot(page, f"housings-{width}-filtered")

    # Nothing ticked: the list again, the error linked to the selection.
    page.get_by_role("button", name="Créer une campagne avec les logements cochés").click()
    assert page.title().startswith("Erreur")
    expect(page.locator("#resume-erreurs a[href='#selection']")).to_be_visible()
    axe_check(page)
    shoot(page, f"housings-{width}-nothing-ticked")
    assert all("400" in problem for problem in page.problems)  # the refused form, and only it
    page.problems.clear()

    # The checkboxes are named by the address (their labels are for screen readers only).
    for address in ("1 rue des Forges", "3 rue des Forges"):
        page.get_by_label(f"Sélectionner le logement {address}, 58000 Nevers").check(force=True)
    page.get_by_role("button", name="Créer une campagne avec les logements cochés").click()
    expect(page.locator("h1")).to_have_text("Créer une campagne")
    expect(page.get_by_text("Pour les 2 logements cochés.")).to_be_visible()
    expect(page.get_by_text("1 courrier sera créé")).to_be_visible()
    expect(page.get_by_text("ne veut pas être contacté")).to_be_visible()
    axe_check(page)
    shoot(page, f"housings-{width}-new-campaign")

    page.get_by_role("button", name="Créer la campagne").click()  # no name
    assert page.title().startswith("Erreur")
    expect(page.locator("#titre")).to_have_attribute("aria-invalid", "true")
    axe_check(page)
    shoot(page, f"housings-{width}-new-campaign-error")
    assert all("400" in problem for problem in page.problems)
    page.problems.clear()

    title = f"Relance vacance longue {width}"
    later = date.today() + timedelta(days=30)
    page.get_by_label("Nom de la campagne").fill(title)
    page.get_by_label("Description (facultatif)").fill("Logements classés G")
    page.get_by_label("Date d’envoi (facultatif)").fill(later.isoformat())
    page.get_by_role("button", name="Créer la campagne").click()
    page.wait_for_url(re.compile(r".*/gestion/campagnes/\d+$"))
    expect(page.locator("h1")).to_have_text(title)
    expect(
        page.get_by_text("Campagne créée avec 1 courrier. 1 logement laissé de côté.")
    ).to_be_visible()
    expect(page.get_by_text("Envoi en attente")).to_be_visible()
    axe_check(page)
    shoot(page, f"housings-{width}-campaign")
    assert page.problems == [], "\n".join(page.problems)

    with Session(live_app.extensions["database"]) as session:
        campaign = session.scalar(select(Campaign).where(Campaign.title == title))
        assert campaign.collectivite_id == town_id
        assert campaign.sent_at == later
        assert (
            len(session.scalars(select(Letter).where(Letter.campaign_id == campaign.id)).all()) == 1
        )


def test_every_filtered_housing_without_javascript(browser, live_server, agent_with_housings):
    """The whole path without JavaScript: the list, "tous les logements filtrés", the form."""
    email, _town_id = agent_with_housings
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, email)
        page.goto("/gestion/logements?commune=58194")
        page.get_by_role("link", name="Créer une campagne avec les 4 logements filtrés").click()
        expect(page.get_by_text("4 courriers seront créés")).to_be_visible()
        page.get_by_label("Nom de la campagne").fill("Tout Nevers")
        page.get_by_role("button", name="Créer la campagne").click()
        expect(page.locator("h1")).to_have_text("Tout Nevers")
        expect(page.get_by_text("Campagne créée avec 4 courriers.")).to_be_visible()
    finally:
        context.close()
