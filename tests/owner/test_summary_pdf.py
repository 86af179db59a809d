"""The PDF summary of the results: the same facts as /resultats, nothing more personal than
the letter shows, in the page's language; read back with pypdf (independent of fpdf2)."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from portal.config import ROOT
from portal.dates import long_date
from portal.owner.summary_pdf import (
    FONT_FILES,
    SIZE_BOUND_KB,
    Bullets,
    Heading,
    Paragraph,
    Summary,
    render,
)
from tests.builders import make_campaign, make_collectivite, make_housing, make_letter
from tests.conftest import csrf_token
from tests.owner.test_callback import VALID as CALLBACK
from tests.owner.test_journey import ANSWERS, answer, submit, walk

PDF = "/resultats/resume.pdf"
FONTS = ROOT / "static" / "fonts"
FRENCH_AMOUNT = re.compile(r"\d{1,3}(?:\u202f\d{3})+\u00a0€")


@pytest.fixture
def opened(client, session):
    collectivite = make_collectivite(
        session,
        name="Communauté de communes Loire et Allier",
        contact_points=[{"label": "Service habitat", "phone": "03 86 11 22 33",
                         "hours": "le mardi, de 9 h à 12 h"}],
    )  # fmt: skip
    housing = make_housing(session, collectivite,
                           address_lines=["7 rue de l’Œuvre", "58000 Nevers"])  # fmt: skip
    letter, token, _ = make_letter(session, make_campaign(session, collectivite), housing=housing)
    letter.owner.full_name = "Madeleine Dupré-Lefèvre"
    session.commit()
    client.get(f"/l/{token}")
    return letter


def pdf_text(data: bytes) -> str:
    """The PDF's text, lines joined: the summary breaks lines at spaces only."""
    reader = PdfReader(io.BytesIO(data))
    return " ".join(page.extract_text() for page in reader.pages).replace("\n", " ")


def squash(text: str) -> str:
    return re.sub(r"[ \n]+", " ", text).strip()


def finished(client) -> BeautifulSoup:
    walk(client, ANSWERS)
    assert submit(client).headers["Location"] == "/resultats"
    return BeautifulSoup(client.get("/resultats").get_data(as_text=True), "html.parser")


def test_the_summary_is_the_results_page_as_a_pdf(client, opened):
    results = finished(client)
    token = csrf_token(client, "/rappel")
    callback = client.post("/rappel", data={**CALLBACK, "csrf_token": token})
    assert callback.headers["Location"] == "/rappel/merci"

    response = client.get(PDF)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="resume-logement-vacant.pdf"'
    )
    assert response.headers["Cache-Control"] == "no-store"
    assert response.data.startswith(b"%PDF-")
    assert len(response.data) < SIZE_BOUND_KB * 1000  # what the download link announces

    text = pdf_text(response.data)
    assert "Communauté de communes Loire et Allier" in text
    assert "7 rue de l’Œuvre, 58000 Nevers" in text
    first = squash(results.find("h3").get_text())
    assert f"1. {first}" in text
    amounts = [squash(strong.get_text()) for strong in results.select("main p > strong")]
    # The running footer lands wherever a page breaks, possibly inside an amount's text.
    body = re.sub(r" ?Portail propriétaires – \S+ \d+/\d+ ?", " ", text)
    assert amounts and all(amount in body for amount in amounts)
    assert FRENCH_AMOUNT.search(text), "no amount formatted in French (5 000 €)"
    assert "Pourquoi\u00a0: • " in text and "oui — " not in text
    assert re.search(r"vérifiée le \d{1,2}(er)?\u00a0\w+\u00a020\d\d", text)
    assert "Plus de deux ans" in text  # the answers, in words
    assert "Service habitat — Téléphone\u00a0: 03 86 11 22 33" in text
    today = long_date(datetime.now(ZoneInfo("Europe/Paris")).date(), "fr")
    assert f"Résumé établi le {today}" in text
    assert "Portail propriétaires – http://portal.test/" in text
    # Nothing the owner typed, nor their name: only what the letter shows.
    for personal in ["06 98 76 54 32", "0698765432", "jeanne.martin", "Jeanne.Martin",
                     "Plutôt après 10 h", "Madeleine", "Dupré"]:  # fmt: skip
        assert personal not in text, personal


def test_the_summary_describes_itself(client, opened):
    finished(client)
    reader = PdfReader(io.BytesIO(client.get(PDF).data))
    metadata = reader.metadata
    assert metadata.title == (
        "Les aides qui pourraient vous correspondre – Communauté de communes Loire et Allier"
    )
    assert metadata.author == "Communauté de communes Loire et Allier"
    assert abs((datetime.now(UTC) - metadata.creation_date).total_seconds()) < 120
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "fr"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"] == True  # noqa: E712 (a PDF boolean)
    outline = [item.title for item in reader.outline if not isinstance(item, list)]
    assert outline[0] == "Les aides qui pourraient vous correspondre"
    fonts = {
        font["/BaseFont"] for page in reader.pages for font in page["/Resources"]["/Font"].values()
    }
    assert fonts == {"/MPDFAA+DejaVuSansBook", "/MPDFAA+DejaVuSansBold"}


def test_the_summary_follows_the_pages_language(client, opened):
    client.get("/langue/en")
    results = finished(client)
    data = client.get(PDF).data
    text = pdf_text(data)
    assert PdfReader(io.BytesIO(data)).trailer["/Root"]["/Lang"] == "en"
    assert "What could help you" in text
    assert "Ce qui pourrait vous aider" not in text
    assert f"1. {squash(results.find('h3').get_text())}" in text
    assert "Why: • " in text and "yes — " not in text
    assert re.search(r"€\d{1,3}(?:,\d{3})+", text), "no amount formatted in English (€5,000)"


def test_the_summary_waits_for_the_submission(client, opened):
    answer(client, "situation", "vacant")
    assert client.get(PDF).headers["Location"] == "/diagnostic/verification"


@pytest.mark.parametrize("path", [PDF, "/resultats"])
def test_a_question_opened_after_the_submission_is_asked_first(client, opened, path):
    walk(client, {"situation": "rented"})
    submit(client)
    assert client.get(path).status_code == 200
    answer(client, "situation", "vacant")  # from the check page: a new question follows
    assert client.get(path).headers["Location"] == "/diagnostic/vacancy_duration"


def test_without_a_letter_the_summary_is_refused_like_the_results(client):
    results, pdf = client.get("/resultats"), client.get(PDF)
    assert pdf.status_code == results.status_code == 404
    assert pdf.mimetype == "text/html"

    def h1(response):
        return BeautifulSoup(response.get_data(as_text=True), "html.parser").h1.get_text()

    assert h1(pdf) == h1(results)


def test_the_results_page_offers_the_summary(client, opened):
    link = finished(client).select_one("a.fr-link--download")
    assert link["href"] == PDF
    assert link.has_attr("download")
    assert squash(link.get_text()) == (
        f"Télécharger le résumé de vos résultats PDF – moins de {SIZE_BOUND_KB}\u00a0ko"
    )
    assert link.select_one(".fr-link__detail").get_text().startswith("PDF")


# The layout itself, without Flask.


def summary_of(*blocks) -> bytes:
    return render(Summary(title="Essai", author="Commune", locale="fr",
                          created=datetime(2026, 3, 12, 9, 30, tzinfo=UTC),
                          blocks=list(blocks), footer="Pied de page"), FONTS)  # fmt: skip


def test_characters_the_font_lacks_are_simplified_not_lost():
    data = summary_of(Paragraph("Nguyễn Thị, 東京, ﬁn — 5\u202f000\u00a0€ « l’Œuvre »"))
    text = pdf_text(data)
    assert "Nguyen Thi" in text
    assert "\ufffd\ufffd" in text
    assert "5\u202f000\u00a0€ « l’Œuvre »" in text
    assert "fin — " in text  # the ligature ﬁ, decomposed


def test_long_texts_wrap_inside_the_margins_and_flow_onto_new_pages():
    url = "https://example.org/" + "tres-long-chemin-" * 12
    words = " ".join(f"mot{n}" for n in range(900))
    data = summary_of(Heading("Un titre", level=1), Paragraph(words),
                      Bullets((("Une source, relevée le 12 mars 2026", url),)))  # fmt: skip
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 2
    text = pdf_text(data)
    assert "mot0 mot1" in text and "mot899" in text
    assert "Pied de page 1/" in text
    # Every line starts and ends between the margins (20 mm = 56.7 pt on each side of A4),
    # measured with the fonts' own advance widths.
    fonts = {style: TTFont(FONTS / name) for style, name in FONT_FILES.items()}
    lines = []

    def visit(text, _cm, tm, font, size):
        if text.strip():
            bold = font["/BaseFont"].endswith("Bold")
            lines.append((text, tm[4], fonts["B" if bold else ""], size))

    for page in reader.pages:
        page.extract_text(visitor_text=visit)
    assert len(lines) > 40
    for text, left, font, size in lines:
        advances, cmap = font["hmtx"].metrics, font.getBestCmap()
        units = sum(advances[cmap[ord(c)]][0] for c in text.rstrip("\n"))
        right = left + units * size / font["head"].unitsPerEm
        assert left >= 56.6 and right <= 595.3 - 56.6, (text, left, right)


def test_the_fonts_have_every_character_of_the_content_and_catalogs():
    texts = [path.read_text(encoding="utf-8")
             for folder in ("guidance_content", "translations")
             for path in sorted((ROOT / folder).rglob("*"))
             if path.suffix in (".yaml", ".yml", ".po", ".md")]  # fmt: skip
    texts.append("5\u202f000\u00a0€ 12 mars 2026 €5,000")  # what Babel writes
    needed = {ord(c) for text in texts for c in text if c.isprintable() and c != "\u00ad"}
    for filename in FONT_FILES.values():
        cmap = TTFont(Path(FONTS / filename)).getBestCmap()
        missing = sorted(chr(code) for code in needed - set(cmap))
        assert not missing, f"{filename} lacks {missing}"
