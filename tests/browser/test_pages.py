"""Public pages and the letter-code page in Chromium: no axe-core violation, no CSP error,
and the code form works without JavaScript (a post and a redirect)."""

from __future__ import annotations

import pytest

from .axe import check_page_at

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    "path", ["/code", "/aides/", "/aides/loc-avantages", "/accessibilite", "/donnees-personnelles",
             "/gestion/connexion", "/page-inconnue"]
)  # fmt: skip
def test_page_is_accessible(browser_page, path):
    check_page_at(browser_page, path, 404, excused="404" if path == "/page-inconnue" else None)
    assert browser_page.locator("h1").count() == 1


def test_a_mistyped_code_is_explained_in_the_page(browser, live_server):
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto("/code")
        page.get_by_label("Code personnel").fill("ABCD")
        page.get_by_role("button", name="Continuer").click()
        assert page.title().startswith("Erreur")
        assert page.locator("[aria-invalid=true]").count() == 1
    finally:
        context.close()
