"""The home page in a real browser: accessible (axe-core), one h1, usable at 320 px."""

from __future__ import annotations

import pytest

from .axe import axe_check

pytestmark = pytest.mark.browser


def test_home_has_no_accessibility_violation(browser_page):
    page = browser_page
    response = page.goto("/")  # returns once the load event has fired
    assert response is not None and response.status == 200

    axe_check(page)
    assert page.locator("h1").count() == 1
    # The page's own scripts and styles load under its CSP, without errors.
    assert page.problems == [], "\n".join(page.problems)


def test_home_does_not_scroll_sideways_at_320_px(browser_page):
    page = browser_page
    # WCAG 1.4.10 (reflow): 320 CSS px wide without horizontal scrolling.
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto("/")
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 320, f"the page is {scroll_width} px wide at a 320 px viewport"
