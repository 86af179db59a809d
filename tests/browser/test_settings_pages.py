"""The admins' settings and access log pages in Chromium: axe-core on each (with a form
error too), a logo uploaded through the file input and shown in the header."""

from __future__ import annotations

import io
import itertools

import pytest
from PIL import Image
from sqlalchemy.orm import Session

from portal.models import Agent, Collectivite
from portal.passwords import hash_password

from .axe import axe_check

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"
PAGES = ["/gestion/parametres", "/gestion/parametres/logo", "/gestion/parametres/partenaires",
         "/gestion/parametres/aides-locales", "/gestion/audit", "/gestion/parametres/courrier",
         "/gestion/parametres/courrier/texte/simplified"]  # fmt: skip
_numbers = itertools.count(1)


@pytest.fixture
def signed_in_admin(live_app, browser_page):
    """A page signed in as the admin of a new collectivité (the browser database is kept
    between tests: each gets its own collectivité and address)."""
    n = next(_numbers)
    with Session(live_app.extensions["database"]) as session:
        town = Collectivite(name=f"Ville de Bourges {n}", siren=f"{318000000 + n:09d}",
                            kind="COM", perimeter=["18033"])  # fmt: skip
        email = f"admin{n}@bourges.example"
        session.add(Agent(collectivite=town, email=email, full_name="Alix Admin",
                          password_hash=hash_password(PASSWORD), role="admin"))  # fmt: skip
        session.commit()
    page = browser_page
    page.goto("/gestion/connexion")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/gestion/reponses")
    return page


@pytest.mark.parametrize("path", PAGES)
def test_settings_pages_are_accessible(signed_in_admin, path):
    page = signed_in_admin
    response = page.goto(path)
    assert response is not None and response.status == 200
    axe_check(page)
    assert page.locator("h1").count() == 1
    assert page.problems == [], "\n".join(page.problems)


def test_a_bad_phone_is_explained_and_accessible(signed_in_admin):
    page = signed_in_admin
    page.goto("/gestion/parametres")
    page.locator("#contact_points-0-label").fill("Service habitat")
    page.locator("#contact_points-0-phone").fill("02 48")
    page.get_by_role("button", name="Enregistrer les paramètres").click()
    assert page.title().startswith("Erreur")
    assert page.locator("#contact_points-0-phone[aria-invalid=true]").count() == 1
    axe_check(page)


def test_a_logo_uploaded_in_the_browser_shows_in_the_header(signed_in_admin, tmp_path):
    page = signed_in_admin
    path = tmp_path / "logo.png"
    out = io.BytesIO()
    Image.new("RGB", (240, 120), (0, 0, 145)).save(out, format="PNG")
    path.write_bytes(out.getvalue())
    page.goto("/gestion/parametres/logo")
    page.locator("input[type=file]").set_input_files(str(path))
    page.get_by_role("button", name="Enregistrer le logo").click()
    page.wait_for_url("**/gestion/parametres/logo")
    logo = page.locator(".fr-header__operator img")
    assert logo.evaluate("image => image.complete && image.naturalWidth") == 240
    axe_check(page)
    assert page.problems == [], "\n".join(page.problems)
