"""/stats in Chromium, as a visitor reads it: from the home page's footer (and its own link),
at 1,280 and 320 px, with axe-core and nothing wider than the screen; a collectivité with
few letters reads « moins de 11 » and no table cell publishes a count from 1 to 10 (the
complementary « masqué » is checked in tests/public/test_stats.py: other browser tests'
collectivités share this database); an opted-out collectivité is not named; no owner's name
or address; a finished experiment whose interval crosses zero reads « non concluant » and
links to its pre-registration, a running one before its analysis date is absent and its
pre-registration is a 404; without JavaScript the charts and their tables are all there.
With PORTAL_SCREENSHOTS set to a directory, the pages are saved there."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.experiments.assign import assign_letters
from portal.models.experiment import ExperimentUnit
from tests.builders import make_campaign, make_collectivite
from tests.experiments.letters import add_letters, freeze, make_letter_experiment

from .axe import axe_check
from .test_backoffice_navigation import shoot

pytestmark = pytest.mark.browser
_numbers = itertools.count(1)


def fits(page: Page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def _launched(session, campaign, now, analysis_date, title):
    experiment = make_letter_experiment(session, [campaign], analysis_date=analysis_date,
                                        title=title)  # fmt: skip
    assign_letters(session, campaign, now=now)
    return freeze(experiment, now)


@pytest.fixture
def seeded(live_app):
    """Three named collectivités (7, 30 and 230 letters), one that asked not to be named,
    a finished experiment with a null effect and a running one."""
    n, now = next(_numbers), datetime.now(UTC)
    sent = date.today() - timedelta(days=40)
    names = {"few": f"Commune de Clamecy {n}", "masked": f"Commune de Cosne {n}",
             "big": f"Commune de Decize {n}", "hidden": f"Commune discrète {n}"}  # fmt: skip
    with Session(live_app.extensions["database"], expire_on_commit=False) as session:
        towns = {}
        for key, letters in (("few", 7), ("masked", 30), ("big", 200), ("hidden", 40)):
            settings = {"stats": {"named": False}} if key == "hidden" else {}
            town = make_collectivite(session, name=names[key], settings=settings)
            campaign = make_campaign(session, town, sent_at=sent)
            towns[key] = (campaign, add_letters(session, campaign, letters))
        campaign, letters = towns["big"]
        finished = _launched(session, campaign, now, date.today(), f"Courrier raccourci {n}")
        session.flush()
        arms = dict(session.execute(
            select(ExperimentUnit.letter_id, ExperimentUnit.arm)
            .where(ExperimentUnit.experiment_id == finished.id)
        ).all())  # fmt: skip
        opened = Counter()
        for letter in letters:  # 20 opened in each arm: an effect of zero
            if opened[arms[letter.id]] < 20:
                letter.first_visit_at = now
                opened[arms[letter.id]] += 1
        running_campaign = make_campaign(session, campaign.collectivite, sent_at=sent)
        add_letters(session, running_campaign, 30)
        running = _launched(session, running_campaign, now, date.today() + timedelta(days=30),
                            f"Courrier en cours {n}")  # fmt: skip
        session.commit()
        owners = [letter.owner.full_name for _campaign, made in towns.values() for letter in made]
        return {"names": names, "finished": finished.title, "running": running.title,
                "running_id": running.id, "owners": owners}  # fmt: skip


def town_row(page: Page, name: str) -> list[str]:
    row = page.locator("tr", has=page.get_by_role("rowheader", name=name, exact=True))
    return [" ".join(cell.split()) for cell in row.locator("td").all_inner_texts()]


@pytest.mark.parametrize("width", [1280, 320])
def test_a_visitor_reads_the_statistics_from_the_footer(browser_page, seeded, width):
    page: Page = browser_page
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/")
    page.locator("footer").get_by_role("link", name="Statistiques").click()
    page.wait_for_url("**/stats")
    expect(page.locator("h1")).to_have_text("Statistiques")
    charts = page.locator("svg[role=img]")
    assert charts.count() == 4
    for i in range(4):  # each chart named, and its data table right after it
        assert charts.nth(i).get_attribute("aria-labelledby")
        assert charts.nth(i).evaluate(
            "svg => svg.closest('figure').nextElementSibling.querySelector('table') !== null"
        )
    names = seeded["names"]
    assert town_row(page, names["few"])[0] == "moins de 11"
    assert town_row(page, names["masked"])[0] in ("30", "masqué")  # other tests' towns too
    counts = [cell.replace("\u202f", "").replace("\u00a0", "")
              for cell in page.locator("td").all_inner_texts()]  # fmt: skip
    assert not [c for c in counts if c.isdigit() and 0 < int(c) < 11], counts
    html = page.content()
    assert names["hidden"] not in html and "rue de la Paix" not in html
    assert not any(owner in html for owner in seeded["owners"])
    expect(page.get_by_role("heading", name=seeded["finished"])).to_be_visible()
    effect = page.locator(
        f'xpath=//h3[normalize-space()="{seeded["finished"]}"]/following-sibling::p[2]'
    )
    expect(effect).to_contain_text("comparé au témoin")
    expect(effect).to_contain_text("non concluant")
    assert seeded["running"] not in html
    axe_check(page)
    fits(page, width)
    shoot(page, f"stats-page-{width}")
    page.get_by_role("link", name=f"Préinscription de «\u00a0{seeded['finished']}\u00a0»").click()
    expect(page.locator("h1")).to_contain_text(seeded["finished"])
    expect(page.get_by_text("Empreinte SHA-256")).to_be_visible()
    axe_check(page)
    fits(page, width)
    assert page.problems == [], "\n".join(page.problems)


def test_the_home_page_links_to_the_statistics(browser_page):
    page: Page = browser_page
    page.goto("/")
    page.get_by_role("link", name="voir les statistiques du portail").click()
    page.wait_for_url("**/stats")
    expect(page.locator("h1")).to_have_text("Statistiques")


def test_a_running_experiment_has_no_public_pre_registration(browser_page, seeded):
    page: Page = browser_page
    response = page.goto(f"/stats/experiences/{seeded['running_id']}")
    assert response is not None and response.status == 404


def test_the_page_reads_without_javascript(browser: Browser, live_server, seeded):
    context = browser.new_context(base_url=live_server, locale="fr-FR", java_script_enabled=False)
    try:
        page = context.new_page()
        page.set_viewport_size({"width": 320, "height": 700})
        page.goto("/stats")
        assert page.locator("svg[role=img]").count() == 4
        assert page.locator("table").count() >= 6  # four series, feedback, towns (+ advice)
        expect(page.get_by_role("rowheader", name=seeded["names"]["big"])).to_be_visible()
        fits(page, 320)
    finally:
        context.close()
