"""An answer's page in Chromium, as an agent reaches it every day: sign in, open the queue from
the navigation, open an answer. At 1,280 px the owner's situation and the follow-up sit side
by side; at 390 px they stack, with no sideways scroll. The précisions' folds open without
JavaScript; axe-core passes on the page, folds closed and open. With PORTAL_SCREENSHOTS set
to a directory, the page is saved there at each width."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.backoffice.answers import answer
from portal.backoffice.followup import add_note, change_status, set_precisions
from portal.models import Response
from portal.owner.journey import record_owner_return, save_answer
from tests.backoffice.answers_support import answered_letter
from tests.builders import make_agent, make_collectivite, make_owner

from .axe import axe_check
from .test_backoffice_navigation import shoot
from .test_housings import open_navigation_entry, sign_in

pytestmark = pytest.mark.browser

OWNER = "Jeanne Martin-Lefèvre"


@pytest.fixture(scope="module")
def agent_email(live_app) -> str:
    """Marie Dupont's e-mail; her collectivité has one answer, with a call-back request, a
    changed answer, a status, two précisions and a note."""
    content = live_app.extensions["content"]
    when = datetime.now(UTC) - timedelta(days=2)
    with Session(live_app.extensions["database"], expire_on_commit=False) as session:
        town = make_collectivite(session, name="Commune de Bourges", perimeter=["18033"])
        agent = make_agent(session, town, full_name="Marie Dupont")
        owner = make_owner(session, town, full_name=OWNER, phone="0612345678")
        session.commit()
        letter = answered_letter(live_app, session, town, when=when, owner=owner)
        with live_app.app_context():
            record_owner_return(session, letter, content, "callback", now=when,
                                callback={"phone": "0612345678", "moments": ["morning"],
                                          "note": "Plutôt le mardi"})  # fmt: skip
            save_answer(session, letter, content, "intention", "sell")
        response_id = session.scalar(select(Response.id).where(Response.letter_id == letter.id))
        row = answer(session, town.id, response_id)
        later = when + timedelta(hours=3)
        change_status(session, agent, row, "first-contact", "Intérêt potentiel / En réflexion",
                      now=later)  # fmt: skip
        set_precisions(session, agent, row, {("blocage-involontaire", "Succession en cours"),
                                             ("travaux", "À venir")}, now=later)  # fmt: skip
        add_note(session, agent, row, "Appelée, rappeler mardi.", "Appel sortant - relance",
                 now=later)  # fmt: skip
        session.commit()
        return agent.email


def sideways(page) -> int:
    """How far the page scrolls sideways (px)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("width", [1280, 390])
def test_an_agent_reads_an_answer_in_two_columns(browser_page, agent_email, width):
    page = browser_page
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, agent_email)
    page.goto("/gestion/logements")
    open_navigation_entry(page, "Réponses", width)
    page.wait_for_url("**/gestion/reponses")
    page.get_by_role("link", name=re.compile("^À rappeler")).click()  # a call-back pending
    page.get_by_role("link", name=OWNER).click()
    page.wait_for_url(re.compile(r"/gestion/reponses/\d+$"))
    expect(page.locator("h1")).to_have_text(f"Réponse de {OWNER}")
    axe_check(page)
    shoot(page, f"answer-{width}")

    situation = page.locator("#situation").bounding_box()
    followup = page.locator("#suivi").bounding_box()
    if width >= 768:  # the DSFR's "md" breakpoint: side by side, tops aligned
        assert followup["x"] >= situation["x"] + situation["width"] - 1
        assert abs(followup["y"] - situation["y"]) < 2
    else:  # stacked: the follow-up under the situation, the same left edge
        assert followup["y"] >= situation["y"] + situation["height"] - 1
        assert abs(followup["x"] - situation["x"]) < 2
    assert sideways(page) <= 0

    # What the agent reads: sentences, grouped phone, changed answer, the note's author.
    expect(page.get_by_text("Téléphone\u00a0: 06 12 34 56 78").first).to_be_visible()
    # (unread at the first width, read at the second: the same answer is opened twice)
    expect(page.get_by_text(re.compile("^Modifiée"))).to_be_visible()
    history = page.locator("#historique")
    expect(history).to_contain_text(
        "Marie Dupont a ajouté la précision «\u00a0Succession en cours\u00a0» "
        "(Blocage involontaire)"
    )
    expect(history).to_contain_text(
        "Le propriétaire a changé son projet\u00a0: le louer → le vendre"
    )
    expect(page.get_by_text(re.compile("par Marie Dupont"))).to_be_visible()

    # The précisions' fold: closed, with what it holds ticked; opens on a click.
    fold = page.locator("details").filter(has=page.locator("summary", has_text="Points de blocage"))
    expect(fold.locator("summary")).to_have_text("Points de blocage (1\u00a0cochée)")
    assert fold.evaluate("element => element.open") is False
    expect(page.get_by_text("Succession en cours", exact=True)).to_be_hidden()
    fold.locator("summary").click()
    assert fold.evaluate("element => element.open") is True
    expect(page.get_by_text("Succession en cours", exact=True)).to_be_visible()
    expect(page.get_by_label("Succession en cours", exact=True)).to_be_checked()
    axe_check(page)
    assert sideways(page) <= 0  # the open fold's summaries and boxes stay in the column
    shoot(page, f"answer-{width}-fold-open")
    assert page.problems == [], "\n".join(page.problems)
