"""The results page on a phone (320 × 640): what fits best and the call-back button on the
first screen, the details folded yet open without JavaScript, no sideways scroll, axe-core
clean; screenshots saved when RESULTS_SCREENSHOTS names a folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from . import test_owner_journey as journey
from .axe import axe_check
from .test_owner_journey import (
    FRENCH,
    answer_all,
    assert_no_sideways_scroll,
    follow,
    page_without_javascript,
    path_of,
    submit,
)

pytestmark = pytest.mark.browser
PHONE = {"width": 320, "height": 640}
letter_link = journey.letter_link  # the demo letters' links, answers wiped (a fixture)


def reach_results(page: Page, link: str) -> None:
    page.goto(link)
    follow(page, "Commencer")
    answer_all(page, FRENCH)
    submit(page, "Envoyer et voir les aides")
    assert path_of(page) == "/resultats"


def screenshot(page: Page, name: str, full_page: bool = False) -> None:
    folder = os.environ.get("RESULTS_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"results-{name}.png"), full_page=full_page)


def test_the_call_back_button_is_on_the_first_screen_of_a_phone(browser_page, letter_link):
    page = browser_page
    page.set_viewport_size(PHONE)
    reach_results(page, letter_link(0))
    screenshot(page, "first-screen")
    button = page.get_by_role("link", name="Être rappelé", exact=True)
    box = button.bounding_box()
    assert box is not None
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], box
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    expect(page.locator("main")).to_contain_text("Ce qui vous correspond le mieux")
    # The button comes before the first route's card.
    first_card = page.locator("main .fr-card").first
    assert first_card.bounding_box()["y"] > box["y"]
    assert_no_sideways_scroll(page)
    axe_check(page)

    # The details are folded: their content is not shown until the owner opens them.
    details = page.locator("main details").first
    content = details.locator("ul, p").first
    expect(content).to_be_hidden()
    details.locator("summary").click()
    expect(content).to_be_visible()
    assert_no_sideways_scroll(page)
    axe_check(page)
    screenshot(page, "full-page", full_page=True)

    # Printed, the details are unfolded (paper cannot fold), and folded again after.
    folded = page.locator("main details:not([open])")
    assert folded.count() > 0
    page.evaluate("dispatchEvent(new Event('beforeprint'))")
    expect(folded).to_have_count(0)
    page.evaluate("dispatchEvent(new Event('afterprint'))")
    expect(page.locator("main details[open]")).to_have_count(1)  # the one the owner opened
    assert page.problems == [], "\n".join(page.problems)


def test_the_details_open_without_javascript(browser, live_server, letter_link):
    with page_without_javascript(browser, live_server) as page:
        page.set_viewport_size(PHONE)
        reach_results(page, letter_link(1))
        details = page.locator("main details").first
        link = details.get_by_role("link", name="En savoir plus", exact=False).first
        expect(link).to_be_hidden()
        details.locator("summary").click()
        expect(details).to_have_attribute("open", "")
        expect(link).to_be_visible()
        assert_no_sideways_scroll(page)
        screenshot(page, "no-javascript")
