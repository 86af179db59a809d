"""The queue's selection in Chromium, without JavaScript: tick answers, apply a status, export
the selection; the page passes axe-core with its table of checkboxes and its action bar."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Housing
from tests.backoffice.answers_support import answered_letter
from tests.builders import PASSWORD, make_agent, make_collectivite, make_owner

from .axe import axe_check

pytestmark = pytest.mark.browser


@pytest.fixture
def agent_with_answers(live_app):
    """An agent's e-mail and the three owners who answered their collectivité's letters."""
    with Session(live_app.extensions["database"], expire_on_commit=False) as session:
        town = make_collectivite(session, name="Commune de Sélection")
        agent = make_agent(session, town)
        session.commit()
        names = ["Anne Première", "Bruno Second", "Chloé Troisième"]
        letters = [
            answered_letter(live_app, session, town, owner=make_owner(session, town, full_name=n))
            for n in names
        ]
        return agent.email, names, [letter.housing_id for letter in letters]


def sign_in(page, email: str) -> None:
    page.goto("/gestion/connexion")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.goto("/gestion/reponses")


def test_the_queue_with_its_selection_is_accessible(browser_page, agent_with_answers):
    page = browser_page
    sign_in(page, agent_with_answers[0])
    axe_check(page)
    assert page.problems == [], "\n".join(page.problems)
    page.get_by_role("button", name="Appliquer ce statut").click()  # nothing ticked
    assert page.title().startswith("Erreur")
    assert page.locator("[aria-invalid=true]").count() >= 3  # the status and the checkboxes
    axe_check(page)


def test_ticked_answers_get_a_status_and_are_exported_without_javascript(
    browser, live_server, live_app, agent_with_answers
):
    email, names, housing_ids = agent_with_answers
    context = browser.new_context(base_url=live_server, java_script_enabled=False,
                                  accept_downloads=True)  # fmt: skip
    page = context.new_page()
    try:
        sign_in(page, email)
        for name in names[:2]:
            page.get_by_label(f"Sélectionner la réponse de {name}").check()
        with page.expect_download() as download:
            page.get_by_role("button", name="Exporter la sélection en CSV").click()
        exported = download.value.path().read_text(encoding="utf-8-sig")
        assert names[0] in exported and names[1] in exported and names[2] not in exported
        page.get_by_label("Statut de suivi › sous-statut").select_option(
            label="Suivi en cours › En accompagnement"
        )
        page.get_by_role("button", name="Appliquer ce statut").click()
        assert "Statut de suivi enregistré pour 2 réponses." in page.content()
    finally:
        context.close()
    with Session(live_app.extensions["database"]) as session:
        statuses = session.scalars(
            select(Housing.status).where(Housing.id.in_(housing_ids)).order_by(Housing.id)
        ).all()
    assert statuses == ["in-progress", "in-progress", "first-contact"]
