"""The owner's whole journey in Chromium, from the QR link to the feedback: every page
passes axe-core and has one h1; the same journey without JavaScript (plain posts and
redirects); reflow at 320 px; a form error; the switch to English mid-diagnostic."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from playwright.sync_api import Browser, Page, Response, expect
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from portal.demo import demo_token, load_demo
from portal.letters.codes import hash_token
from portal.models import Event, Letter, ResponseRecommendation
from portal.models import Response as Answers

from .axe import axe_check
from .conftest import TIMEOUT_MS

pytestmark = pytest.mark.browser

# What a person picks on each question, by question id (the last part of the URL); the
# rules engine decides the order. Checkbox questions list several labels.
FRENCH = {
    "situation": ["Vide, personne n’y habite"],
    "vacancy_duration": ["Plus de deux ans"],
    "owner_kind": ["À moi seul (ou à mon couple)"],
    "intention": ["Le louer"],
    "blockers": ["La peur des loyers impayés", "Le coût des travaux"],
    "works_level": ["Des travaux importants (chauffage, isolation, électricité)"],
    "energy_label": ["F"],
    "accepts_rent_cap": ["Oui"],
    "owner_income_band": ["Modestes"],
}
ENGLISH = {
    "situation": ["Empty, nobody lives there"],
    "vacancy_duration": ["More than two years"],
    "owner_kind": ["To me alone (or my couple)"],
    "intention": ["Let it"],
    "blockers": ["Fear of unpaid rent", "The cost of the work"],
    "works_level": ["Major work (heating, insulation, wiring)"],
    "energy_label": ["F"],
    "accepts_rent_cap": ["Yes"],
    "owner_income_band": ["Modest"],
}
CONTINUE = {"fr": "Continuer", "en": "Continue"}
CONSENT = (
    "J’accepte que ma collectivité utilise ces coordonnées "
    "pour me recontacter au sujet de ce logement"
)
CHECK_PATH = "/diagnostic/verification"
AFTER_RESULTS = ["/rappel", "/rappel/merci", "/avis", "/avis/merci"]


@pytest.fixture
def letter_link(live_app):
    """`letter_link(i)`: the QR link of demo letter i, whose answers are wiped first so
    that the journey starts afresh whatever ran before. The letter's "response:*" events
    go too: the portal takes a return identical to the last recorded one for a form posted
    twice, and would not mark the new Response submitted."""
    secret = live_app.config["SECRET_KEY"]

    def fresh(index: int) -> str:
        token = demo_token(secret, index)
        with Session(live_app.extensions["database"]) as session:
            load_demo(session, secret)
            letter_id = session.scalar(
                select(Letter.id).where(Letter.token_hash == hash_token(token))
            )
            answers = select(Answers.id).where(Answers.letter_id == letter_id)
            session.execute(
                delete(ResponseRecommendation).where(
                    ResponseRecommendation.response_id.in_(answers)
                )
            )
            session.execute(delete(Answers).where(Answers.letter_id == letter_id))
            session.execute(
                delete(Event).where(Event.letter_id == letter_id, Event.kind.like("response:%"))
            )
            session.commit()
        return f"/l/{token}"

    return fresh


@contextmanager
def page_without_javascript(browser: Browser, base_url: str) -> Iterator[Page]:
    context = browser.new_context(base_url=base_url, java_script_enabled=False, locale="fr-FR")
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


def path_of(page: Page) -> str:
    return "/" + page.url.split("/", 3)[3].split("?")[0]


def assert_one_h1(page: Page) -> None:
    count = page.locator("h1").count()
    assert count == 1, f"{page.url} has {count} h1 elements"


def follow(page: Page, name: str) -> Response:
    """Click the link called `name`; the page it leads to (after any redirect) is a 200."""
    with page.expect_navigation() as navigation:
        page.get_by_role("link", name=name, exact=True).click()
    response = navigation.value
    assert response is not None and response.status == 200, f"{name!r} → {page.url}"
    return response


def submit(page: Page, button: str) -> Response:
    """Click the button: the form posts, is answered 303, and the next page is a 200."""
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name=button, exact=True).click()
    response = navigation.value
    posted = response.request.redirected_from if response else None
    assert posted is not None and posted.method == "POST", f"{button!r}: no redirect after a post"
    status = posted.response().status
    assert status == 303, f"{button!r}: {posted.url} answered the post with {status}, not 303"
    assert response.status == 200, f"{button!r} led to {response.url} ({response.status})"
    return response


def tick(page: Page, label: str) -> None:
    """Click the label of the radio or checkbox `label`, as a person does (the DSFR draws
    the box on the label, over the input), and see the input checked."""
    option = page.get_by_label(label, exact=True)
    page.locator(f"label[for='{option.get_attribute('id')}']").click()
    expect(option).to_be_checked()


def answer(page: Page, labels: dict[str, list[str]], language: str = "fr") -> None:
    """Answer the question the page shows, then "Continuer"."""
    question = path_of(page).removeprefix("/diagnostic/")
    assert question in labels, f"unexpected question {question!r} at {page.url}"
    for label in labels[question]:
        tick(page, label)
    submit(page, CONTINUE[language])


def answer_all(page: Page, labels: dict, language: str = "fr", on_page=None) -> list[str]:
    """Answer questions until the check page; returns the questions' paths in order."""
    asked: list[str] = []
    while path_of(page).startswith("/diagnostic/") and path_of(page) != CHECK_PATH:
        assert path_of(page) not in asked, f"{page.url} asked twice: {asked}"
        assert len(asked) < len(labels), f"more questions than expected: {asked}"
        asked.append(path_of(page))
        if on_page:
            on_page(page)
        answer(page, labels, language)
    assert path_of(page) == CHECK_PATH, f"the diagnostic ended at {page.url}, after {asked}"
    return asked


def fill_callback(page: Page) -> None:
    page.get_by_label("Numéro de téléphone (facultatif)").fill("06 12 34 56 78")
    page.get_by_label("Adresse e-mail (facultatif)").fill("proprietaire@example.org")
    tick(page, "Le matin")
    page.get_by_label("Un message pour votre collectivité (facultatif)").fill("Plutôt en semaine.")
    tick(page, CONSENT)


def call_back_and_give_feedback(page: Page, useful: str, on_page) -> None:
    """From the results: ask to be called back, then answer `useful` ("Oui" or "Non") to
    "was this service useful?"; `on_page(page)` on each page of AFTER_RESULTS."""
    follow(page, "Être rappelé")
    assert path_of(page) == "/rappel"
    on_page(page)
    fill_callback(page)
    submit(page, "Envoyer ma demande")
    assert path_of(page) == "/rappel/merci"
    on_page(page)
    expect(page.locator("main")).to_contain_text("Démoville")
    follow(page, "Donner mon avis sur ce service")
    assert path_of(page) == "/avis"
    on_page(page)
    tick(page, useful)
    submit(page, "Envoyer mon avis")
    assert path_of(page) == "/avis/merci"
    on_page(page)


def test_owner_journey_is_accessible_on_every_page(browser_page, letter_link):
    page = browser_page
    visited: list[str] = []

    def check(page: Page) -> None:
        visited.append(path_of(page))
        assert_one_h1(page)
        axe_check(page)

    page.goto(letter_link(0))
    assert path_of(page) == "/mon-logement"
    check(page)
    follow(page, "Commencer")
    asked = answer_all(page, FRENCH, on_page=check)
    assert asked[0] == "/diagnostic/situation" and len(asked) >= 5, asked
    check(page)  # the check page
    submit(page, "Envoyer et voir les aides")
    assert path_of(page) == "/resultats"
    check(page)
    recommendations = page.locator("main h3")
    assert recommendations.count() >= 1, "the results list no recommendation"
    expect(recommendations.first).not_to_be_empty()

    call_back_and_give_feedback(page, "Oui", on_page=check)

    assert visited == ["/mon-logement", *asked, CHECK_PATH, "/resultats", *AFTER_RESULTS]
    assert page.problems == [], "\n".join(page.problems)


def test_owner_journey_works_without_javascript(browser, live_server, letter_link):
    with page_without_javascript(browser, live_server) as page:
        response = page.goto(letter_link(1))
        assert response.status == 200 and path_of(page) == "/mon-logement"
        assert response.request.redirected_from.response().status == 303
        assert_one_h1(page)
        follow(page, "Commencer")
        answer_all(page, FRENCH, on_page=assert_one_h1)
        assert_one_h1(page)
        submit(page, "Envoyer et voir les aides")
        assert path_of(page) == "/resultats"
        assert_one_h1(page)
        assert page.locator("main h3").count() >= 1, "the results list no recommendation"

        call_back_and_give_feedback(page, "Non", on_page=assert_one_h1)


def assert_no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"{page.url} is {width} px wide at a 320 px viewport"


def test_question_and_results_do_not_scroll_sideways_at_320_px(browser_page, letter_link):
    page = browser_page
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(letter_link(0))
    follow(page, "Commencer")
    answer_all(page, FRENCH, on_page=assert_no_sideways_scroll)
    submit(page, "Envoyer et voir les aides")
    assert path_of(page) == "/resultats"
    assert_no_sideways_scroll(page)
    assert page.problems == [], "\n".join(page.problems)


def test_a_missing_answer_is_explained_and_accessible(browser_page, live_server, letter_link):
    page = browser_page
    page.goto(letter_link(1))
    follow(page, "Commencer")
    assert path_of(page) == "/diagnostic/situation"
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Continuer").click()
    assert navigation.value.status == 400
    assert path_of(page) == "/diagnostic/situation"

    assert page.title().startswith("Erreur"), page.title()
    summary = page.locator("#resume-erreurs")
    expect(summary).to_be_focused()
    link = summary.get_by_role("link", name="Indiquez la situation du logement")
    target = page.locator(link.get_attribute("href"))
    expect(target).to_have_count(1)
    expect(target).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Vide, personne n’y habite", exact=True)).to_have_attribute(
        "aria-invalid", "true"
    )
    link.click()
    expect(target).to_be_focused()
    assert_one_h1(page)
    axe_check(page)
    # The only problem met is the expected 400 (and Chromium's console line about it).
    refused = f"HTTP 400: POST {live_server}/diagnostic/situation"
    assert refused in page.problems
    others = [p for p in page.problems if p != refused and "status of 400" not in p]
    assert others == [], "\n".join(others)


def test_switching_to_english_mid_diagnostic(browser_page, letter_link):
    page = browser_page
    page.goto(letter_link(2))
    follow(page, "Commencer")
    expect(page.locator("h1")).to_have_text("Aujourd’hui, ce logement est…")

    page.get_by_role("button", name="FR", exact=True).click()
    follow(page, "EN - English")
    assert path_of(page) == "/diagnostic/situation"
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Today, this property is…")
    axe_check(page)

    answer_all(page, ENGLISH, language="en")
    expect(page.locator("h1")).to_have_text("Check your answers")
    submit(page, "Send and see the grants")
    assert path_of(page) == "/resultats"
    assert page.locator("main h3").count() >= 1, "the results list no recommendation"
    assert page.problems == [], "\n".join(page.problems)
