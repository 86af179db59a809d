"""Agents' account pages in Chromium: no axe-core violation, no CSP error, the QR code
loads from our own route, and the header's "Se déconnecter" works with and without
JavaScript."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from tests.builders import PASSWORD, make_agent, make_collectivite

from .axe import axe_check, check_page_at

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def admin_email(live_app) -> str:
    with Session(live_app.extensions["database"], expire_on_commit=False) as session:
        collectivite = make_collectivite(session, name="Commune de Nevers")
        admin = make_agent(session, collectivite, role="admin", full_name="Alice Admin")
        make_agent(session, collectivite, full_name="Bruno Collègue")
        session.commit()
        return admin.email


def sign_in(page, email):
    page.goto("/gestion/connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    assert page.url.endswith("/gestion/reponses")


@pytest.mark.parametrize(
    "path", ["/gestion/mot-de-passe-oublie", "/gestion/mot-de-passe-oublie/envoye",
             "/gestion/mot-de-passe/nouveau"]
)  # fmt: skip
def test_signed_out_pages_are_accessible(browser_page, path):
    check_page_at(browser_page, path, 410, excused="410")


@pytest.mark.parametrize(
    "path", ["/gestion/", "/gestion/compte", "/gestion/agents",
             "/gestion/compte/double-authentification"]
)  # fmt: skip
def test_signed_in_pages_are_accessible(browser_page, admin_email, path):
    page = browser_page
    sign_in(page, admin_email)
    page.goto(path)
    axe_check(page)
    assert page.problems == [], "\n".join(page.problems)


def test_the_qr_code_is_displayed(browser_page, admin_email):
    page = browser_page
    sign_in(page, admin_email)
    page.goto("/gestion/compte/double-authentification")
    width = page.locator("img[src$='qr-code.svg']").evaluate("img => img.naturalWidth")
    assert width == 285
    assert page.problems == [], "\n".join(page.problems)


@pytest.mark.parametrize("javascript", [True, False])
def test_the_header_signs_out(browser, live_server, admin_email, javascript):
    context = browser.new_context(base_url=live_server, java_script_enabled=javascript)
    page = context.new_page()
    try:
        sign_in(page, admin_email)
        page.goto("/gestion/compte")
        page.locator("header").get_by_role("button", name="Se déconnecter").first.click()
        assert page.url.endswith("/gestion/connexion")
        page.goto("/gestion/")
        assert "/gestion/connexion" in page.url
    finally:
        context.close()
