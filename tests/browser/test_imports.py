"""Importing housings in Chromium, as an agent does it: sign in, go from the back-office
home to the import, upload a ZLV campaign export made with openpyxl (ZLV's headers), read
the preview and its refused rows, confirm, see the import done; a running job's progress
page; a file that is not an XLSX. axe-core on every page, at 1,280 and 390 px. With
PORTAL_SCREENSHOTS set to a directory, each page is saved there at each width."""

from __future__ import annotations

import itertools
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Page
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import Housing, Job
from tests.builders import PASSWORD, make_agent, make_collectivite
from tests.imports.files import zlv_export, zlv_row

from .axe import axe_check

pytestmark = pytest.mark.browser
_numbers = itertools.count(1)


def shoot(page: Page, name: str) -> None:
    folder = os.environ.get("PORTAL_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.fixture
def agent(live_app):
    """An agent (not an admin) of a new collectivité: (email, collectivité id)."""
    with Session(live_app.extensions["database"], expire_on_commit=False) as session:
        town = make_collectivite(session, name=f"Commune de Nevers {next(_numbers)}")
        agent = make_agent(session, town, role="agent")
        session.commit()
        return agent.email, town.id


def sign_in(page: Page, email: str, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/gestion/connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/gestion/reponses")


def export_file(folder: Path) -> Path:
    rows = [
        zlv_row(),
        zlv_row("581940000002", **{"Type de logement": "Appartement", "Surface (m²)": "45,5"}),
        zlv_row("581940000003", **{"Code INSEE commune du logement": "75056"}),
        zlv_row("581940000004", **{"Année de début de vacance": "depuis toujours"}),
        zlv_row(),
    ]
    return zlv_export(folder / "export-campagne-zlv.xlsx", rows)


@pytest.mark.parametrize("width", [1280, 390])
def test_an_agent_imports_a_zlv_export(browser_page, live_app, agent, tmp_path, width):
    page = browser_page
    email, town_id = agent
    sign_in(page, email, width)
    page.goto("/gestion/")
    page.get_by_role("link", name="Importer des logements").click()
    page.wait_for_url("**/gestion/imports/nouveau")
    axe_check(page)
    shoot(page, f"{width}-1-upload")

    page.locator("input[type=file]").set_input_files(str(export_file(tmp_path)))
    page.get_by_role("button", name="Vérifier le fichier").click()
    page.wait_for_url("**/gestion/imports/*")
    assert page.locator("h1").inner_text() == "Vérification du fichier : ce que l’import ferait"
    problems = page.get_by_role("table", name="Lignes refusées et pourquoi")
    assert problems.locator("tbody tr").count() == 3
    assert "hors" in problems.inner_text() or "périmètre" in problems.inner_text()
    assert page.get_by_role("link", name="Télécharger le rapport complet").count() == 1
    axe_check(page)
    shoot(page, f"{width}-2-preview")

    page.get_by_role("button", name="Confirmer l’import").click()
    page.wait_for_url("**/gestion/imports/*")
    assert page.locator("h1").inner_text() == "Import terminé"
    assert "2 créés, 0 mis à jour, 0 inchangés, 3 refusés" in page.locator("main").inner_text()
    axe_check(page)
    shoot(page, f"{width}-3-done")
    with Session(live_app.extensions["database"]) as session:
        count = select(func.count()).select_from(Housing).where(Housing.collectivite_id == town_id)
        assert session.scalar(count) == 2
    assert page.problems == [], "\n".join(page.problems)


@pytest.mark.parametrize("width", [1280, 390])
def test_progress_and_a_refused_file_are_accessible(browser_page, live_app, agent, tmp_path,
                                                    width):  # fmt: skip
    page = browser_page
    email, town_id = agent
    with Session(live_app.extensions["database"], expire_on_commit=False) as session:
        now = datetime.now(UTC)
        job = Job(collectivite_id=town_id, kind="import", state="running", done=12_000,
                  total=100_000, started_at=now, heartbeat_at=now, result={"stage": "check"},
                  params={"mode": "preview", "file_name": "parc-2026.xlsx"})  # fmt: skip
        session.add(job)
        session.commit()
    sign_in(page, email, width)
    page.goto(f"/gestion/imports/{job.id}")
    assert page.locator("progress").get_attribute("value") == "12000"
    assert "12 000 lignes sur 100 000" in page.locator("main").inner_text().replace("\u202f", " ")
    # The refresh every 2 s is what axe's meta-refresh rule flags; the page offers to stop it.
    axe_check(page, disable={"meta-refresh": "stoppable through the link checked below"})
    shoot(page, f"{width}-4-progress")
    page.get_by_role("link", name="Arrêter la mise à jour automatique").click()
    page.wait_for_url("**?actualisation=non")
    assert page.locator("meta[http-equiv=refresh]").count() == 0
    axe_check(page)

    not_xlsx = tmp_path / "export.xlsx"
    not_xlsx.write_text("ceci n’est pas un classeur")
    page.goto("/gestion/imports/nouveau")
    page.locator("input[type=file]").set_input_files(str(not_xlsx))
    page.get_by_role("button", name="Vérifier le fichier").click()
    assert page.title().startswith("Erreur")
    assert "n’est pas un classeur XLSX" in page.locator("main").inner_text()
    axe_check(page)
    shoot(page, f"{width}-5-refused")
