"""The back-office in Chromium: sign-in, the queue and an answer's page pass axe-core, have
one h1, and the queue's table does not make the page scroll sideways at 320 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.demo import DEMO_AGENT_EMAIL, DEMO_AGENT_PASSWORD, demo_token, load_demo
from portal.letters.codes import hash_token
from portal.models import Letter, Response
from portal.owner.journey import record_owner_return

from .axe import axe_check

pytestmark = pytest.mark.browser


@pytest.fixture
def answered(live_app) -> int:
    """Demo letter 1, answered and submitted; returns its Response id."""
    secret = live_app.config["SECRET_KEY"]
    with Session(live_app.extensions["database"], expire_on_commit=False) as session:
        load_demo(session, secret)
        letter = session.scalar(
            select(Letter).where(Letter.token_hash == hash_token(demo_token(secret, 1)))
        )
        response = session.scalar(select(Response).where(Response.letter_id == letter.id))
        if response is None:
            answers = {"situation": "vacant", "blockers": ["succession"]}
            session.add(Response(letter_id=letter.id, collectivite_id=letter.collectivite_id,
                                 answers=answers))  # fmt: skip
            session.commit()
        with live_app.app_context():
            record_owner_return(session, letter, live_app.extensions["content"], "submitted")
        return session.scalar(select(Response.id).where(Response.letter_id == letter.id))


def sign_in(page: Page) -> None:
    page.goto("/gestion/connexion")
    page.get_by_label("Adresse e-mail").fill(DEMO_AGENT_EMAIL)
    page.locator("#password").fill(DEMO_AGENT_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()


def test_queue_and_answer_pages_are_accessible(browser_page, answered):
    page = browser_page
    sign_in(page)
    for path in ("/gestion/reponses", f"/gestion/reponses/{answered}", "/gestion/"):
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        axe_check(page)
        assert page.locator("h1").count() == 1, path
    assert page.problems == [], "\n".join(page.problems)


def test_the_queue_does_not_scroll_sideways_at_320_px(browser_page, answered):
    page = browser_page
    page.set_viewport_size({"width": 320, "height": 640})
    sign_in(page)
    page.goto("/gestion/reponses")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
