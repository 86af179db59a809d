"""The back-office navigation in Chromium, as a new agent walks it: sign in from the public
home page's link, land on the answers, then reach every entry through the header's
navigation at 1,280 px and through the "Menu" modal at 390 px, each page passing axe-core.
With PORTAL_SCREENSHOTS set to a directory, each page is saved there at each width."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from tests.builders import PASSWORD, make_agent, make_collectivite

from .axe import axe_check

pytestmark = pytest.mark.browser

ENTRIES = [  # (link name, URL path)
    ("Réponses", "/gestion/reponses"),
    ("Logements", "/gestion/logements"),
    ("Campagnes", "/gestion/"),
    ("Paramètres", "/gestion/parametres"),
    ("Agents", "/gestion/agents"),
    ("Journal", "/gestion/audit"),
]

# Violations found by this walk that are not the navigation's, to fix on their own pages.
KNOWN: dict = {}  # (width, path) → axe rules excused there, with the reason


@pytest.fixture(scope="module")
def admin_email(live_app) -> str:
    with Session(live_app.extensions["database"], expire_on_commit=False) as session:
        collectivite = make_collectivite(session, name="Commune de Vierzon")
        admin = make_agent(session, collectivite, role="admin", full_name="Nadia Nouvelle")
        session.commit()
        return admin.email


def shoot(page: Page, name: str) -> None:
    folder = os.environ.get("PORTAL_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def sign_in_from_home(page: Page, email: str) -> None:
    page.goto("/")
    page.get_by_role("link", name="Accéder à l’espace de gestion").click()
    page.get_by_label("Adresse e-mail").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/gestion/reponses")


@pytest.mark.parametrize("width", [1280, 390])
def test_a_new_agent_reaches_every_page_through_the_navigation(browser_page, admin_email, width):
    page = browser_page
    page.set_viewport_size({"width": width, "height": 900})
    sign_in_from_home(page, admin_email)
    # The signed-in home is the answers' queue, its entry marked as the current page.
    nav = page.locator("nav#navigation-principale")  # hidden in the closed menu at 390 px
    expect(nav).to_have_attribute("aria-label", "Menu principal")
    current = nav.locator("a[aria-current=page]")
    expect(current).to_have_attribute("href", "/gestion/reponses")
    expect(current).to_contain_text("0 nouvelle")
    axe_check(page)
    # Walk the entries from the last to the first, so that each is reached from another page.
    for name, path in reversed(ENTRIES):
        if width < 992:  # the DSFR's "lg" breakpoint: the navigation is in the "Menu" modal
            expect(nav).to_be_hidden()
            page.get_by_role("button", name="Menu", exact=True).click()
        link = nav.get_by_role("link", name=re.compile(f"^{name}"))
        expect(link).to_be_visible()
        link.click()
        page.wait_for_url(f"**{path}")
        expect(nav.locator("a[aria-current=page]")).to_have_attribute("href", path)
        axe_check(page, disable=KNOWN.get((width, path)))
        slug = path.strip("/").replace("/", "-")
        shoot(page, f"nav-{width}-{slug}")
        if width < 992 and path == "/gestion/reponses":  # the menu open, for the screenshot
            page.get_by_role("button", name="Menu", exact=True).click()
            expect(link).to_be_visible()
            axe_check(page)
            shoot(page, f"nav-{width}-menu-open")
    assert page.problems == [], "\n".join(page.problems)
