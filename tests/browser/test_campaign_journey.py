"""From ZLV's export to a printed letter that opens its owner's page, in Chromium, as a new
agent goes: sign in, Logements from the header, "Importer des logements", upload the
campaign export (made with openpyxl from ZLV's headers), confirm, "Voir les logements et
créer une campagne", every housing, name and send date, the campaign's page, "Préparer les
courriers (PDF)", download the PDF; then each letter's QR code, scanned from the printed
page, opens that owner's landing in another browser. axe-core on every page, at 1,280 and
390 px. With PORTAL_SCREENSHOTS set to a directory, each page is saved there."""

from __future__ import annotations

import itertools
import re
from datetime import date

import pypdfium2
import pytest
import zxingcpp
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from tests.builders import make_agent, make_collectivite
from tests.imports.files import zlv_export, zlv_row

from .axe import axe_check
from .test_backoffice_navigation import shoot
from .test_housings import open_navigation_entry, sign_in

pytestmark = pytest.mark.browser
_numbers = itertools.count(1)
OWNERS = ("Jeanne MARTIN", "Paul DURAND")


@pytest.fixture
def agent(live_app):
    with Session(live_app.extensions["database"], expire_on_commit=False) as session:
        town = make_collectivite(session, name=f"Commune de Nevers {next(_numbers)}",
                                 perimeter=["58194"])  # fmt: skip
        email = make_agent(session, town).email
        session.commit()
        return email


def scanned_links(pdf: bytes) -> list[str]:
    """What a phone reads from each page's QR code, printed at 150 dpi."""
    document = pypdfium2.PdfDocument(pdf)
    links = []
    for index in range(len(document)):
        image = document[index].render(scale=150 / 72).to_pil()
        links += [code.text for code in zxingcpp.read_barcodes(
            image, formats=zxingcpp.BarcodeFormat.QRCode)]  # fmt: skip
    return links


@pytest.mark.parametrize("width", [1280, 390])
def test_from_zlvs_export_to_a_letter_that_opens_its_owners_page(
    browser, browser_page, live_app, live_server, agent, tmp_path, width
):
    page: Page = browser_page
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, agent)
    open_navigation_entry(page, "Logements", width)
    page.wait_for_url("**/gestion/logements")
    page.get_by_role("link", name="Importer des logements").click()
    page.wait_for_url("**/gestion/imports/nouveau")
    axe_check(page)

    rows = [zlv_row(f"58194000000{n}", **{"Propriétaire destinataire principal": name,
                                          "Adresse LOVAC du logement": f"{n} rue des Forges"})
            for n, name in enumerate(OWNERS, start=1)]  # fmt: skip
    page.locator("input[type=file]").set_input_files(str(zlv_export(tmp_path / "zlv.xlsx", rows)))
    page.get_by_role("button", name="Vérifier le fichier").click()
    page.wait_for_url("**/gestion/imports/*")
    axe_check(page)
    page.get_by_role("button", name="Confirmer l’import").click()
    expect(page.locator("h1")).to_have_text("Import terminé")
    axe_check(page)
    shoot(page, f"journey-{width}-1-imported")

    page.get_by_role("link", name="Voir les logements et créer une campagne").click()
    page.wait_for_url("**/gestion/logements")
    expect(page.locator("h2").first).to_have_text(re.compile(r"2 logements,\s+2 propriétaires"))
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.get_by_role("link", name=re.compile("Créer une campagne avec les 2 logements")).click()
    expect(page.locator("h1")).to_have_text("Créer une campagne")
    axe_check(page)
    page.get_by_label("Nom de la campagne").fill(f"Vacants 2026 ({width})")
    page.get_by_label("Date d’envoi (facultatif)").fill(date.today().isoformat())
    page.get_by_role("button", name="Créer la campagne").click()
    page.wait_for_url(re.compile(r".*/gestion/campagnes/\d+$"))
    expect(page.get_by_text("Envoyée", exact=True)).to_be_visible()
    axe_check(page)
    # nothing wider than the screen: the letters' table scrolls inside its own region
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shoot(page, f"journey-{width}-2-campaign")

    page.get_by_role("button", name="Préparer les courriers (PDF)").click()
    page.wait_for_url(re.compile(r".*/courriers/\d+$"))
    expect(page.get_by_text("2 courriers préparés")).to_be_visible()
    axe_check(page)
    shoot(page, f"journey-{width}-3-letters")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Les courriers à imprimer")).click()
    pdf = download.value.path().read_bytes()
    assert page.problems == [], "\n".join(page.problems)

    links = scanned_links(pdf)
    assert len(links) == 2 and all(link.startswith("http://portal.test/l/") for link in links)
    owner = browser.new_page(base_url=live_server)  # the owner's phone: another browser
    seen = []
    for link in links:
        owner.context.clear_cookies()
        owner.goto(link.replace("http://portal.test", ""))
        owner.wait_for_url("**/mon-logement")
        seen.append(owner.locator("main").inner_text())
        axe_check(owner)
    assert any("1 rue des Forges" in text for text in seen)
    assert any("2 rue des Forges" in text for text in seen)
    owner.close()
