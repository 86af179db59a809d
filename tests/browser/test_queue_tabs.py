"""The queue's tabs in Chromium, as an agent meets them after signing in: each tab selected
in turn is marked (aria-current) and looks selected, the page passes axe-core at 1,280 px
and 390 px, and the owner's plan and obstacles are columns of the table."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page
from sqlalchemy.orm import Session

from portal.backoffice.answers import answer
from portal.backoffice.followup import change_status
from portal.models import Response
from portal.owner.journey import record_owner_return
from tests.backoffice.answers_support import answered_letter
from tests.builders import make_agent, make_collectivite, make_owner

from .axe import axe_check
from .test_backoffice_navigation import shoot
from .test_housings import sign_in

pytestmark = pytest.mark.browser

TABS = ["Nouvelles", "À rappeler", "En suivi", "Clôturées"]


@pytest.fixture
def agent_with_every_tab(live_app):
    """An agent whose collectivité has answers in every tab of the queue."""
    with Session(live_app.extensions["database"], expire_on_commit=False) as session:
        town = make_collectivite(session, name="Commune des Onglets")
        agent = make_agent(session, town)
        session.commit()

        def answered(name):
            owner = make_owner(session, town, full_name=name)
            letter = answered_letter(live_app, session, town, owner=owner)
            response = session.query(Response).filter_by(letter_id=letter.id).one()
            return letter, response

        answered("Nina Nouvelle")
        letter, _response = answered("Rémi Rappel")
        with live_app.app_context():
            record_owner_return(session, letter, live_app.extensions["content"], "callback",
                                callback={"phone": "0612345678", "moments": []})  # fmt: skip
        followed = {"Suzanne Suivi": ("in-progress", "En accompagnement"),
                    "Claude Clos": ("completed", "Sortie de la vacance")}  # fmt: skip
        for name, (status, sub) in followed.items():
            _letter, response = answered(name)
            with live_app.app_context():
                row = answer(session, town.id, response.id)
                change_status(session, agent, row, status, sub)
                session.commit()
        return agent.email


def tab_link(page: Page, title: str):
    nav = page.get_by_role("navigation", name="Onglets de la file")
    return nav.get_by_role("link", name=re.compile(f"^{re.escape(title)} "))


@pytest.mark.parametrize("width", [1280, 390])
def test_each_tab_selected_is_marked_and_accessible(browser_page, agent_with_every_tab, width):
    page = browser_page
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, agent_with_every_tab)  # the signed-in home is the queue
    expected = {"Nouvelles": "Nina Nouvelle", "À rappeler": "Rémi Rappel",
                "En suivi": "Suzanne Suivi", "Clôturées": "Claude Clos"}  # fmt: skip
    for title in TABS:
        if title != "Nouvelles":  # the queue opens on the first tab with answers
            tab_link(page, title).click()
        current = tab_link(page, title)
        assert current.get_attribute("aria-current") == "page"
        others = [tab_link(page, other) for other in TABS if other != title]
        assert all(other.get_attribute("aria-current") is None for other in others)
        colour = current.evaluate("e => getComputedStyle(e).backgroundColor")
        weight = current.evaluate("e => getComputedStyle(e).fontWeight")
        assert all(o.evaluate("e => getComputedStyle(e).backgroundColor") != colour for o in others)
        assert weight == "700"  # selected by weight too, not by colour alone
        table = page.get_by_role("table")
        assert expected[title] in table.inner_text()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        axe_check(page)
        shoot(page, f"queue-{width}-{title}")
    assert page.problems == [], "\n".join(page.problems)


def test_the_plan_and_the_obstacles_are_columns(browser_page, agent_with_every_tab):
    page = browser_page
    sign_in(page, agent_with_every_tab)
    headers = page.get_by_role("columnheader").all_inner_texts()
    assert "Projet" in headers and "Ce qui le retient" in headers
    row = page.get_by_role("row", name=re.compile("Nina Nouvelle"))
    assert "Le louer" in row.inner_text()
    assert "Une succession pas encore réglée" in row.inner_text()
