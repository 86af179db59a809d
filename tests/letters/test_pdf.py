"""The campaign's PDF read back independently of fpdf2: pypdf for the text and metadata,
pdfium to print the pages, zxing-cpp to scan the QR codes as a phone would."""

from __future__ import annotations

import io
import re

import pypdfium2
import pytest
import zxingcpp
from pypdf import PdfReader

from portal.letters.codes import format_code
from portal.letters.letter import Planner
from portal.letters.merge import TemplateError
from portal.letters.pdf import Signatory, render
from tests.letters.samples import BASE_URL, layout, recipient


def rendered(the_layout, recipients, **options) -> tuple[bytes, list[int], int]:
    out, pages = io.BytesIO(), []
    count = render(the_layout, recipients, out, on_letter=lambda _r, n: pages.append(n), **options)
    return out.getvalue(), pages, count


@pytest.fixture(scope="module")
def campaign():
    recipients = [recipient(n) for n in range(1, 4)]
    pdf, pages, count = rendered(layout(), recipients)
    return recipients, pdf, pages, count


def page_text(page) -> str:
    return " ".join(page.extract_text().replace("\u00a0", " ").split())


def test_one_letter_per_recipient_with_its_name_and_code(campaign):
    recipients, pdf, pages, count = campaign
    reader = PdfReader(io.BytesIO(pdf))
    assert count == 3 and pages == [1, 1, 1] and len(reader.pages) == 3
    for page, person in zip(reader.pages, recipients, strict=True):
        text = page_text(page)
        assert person.owner_name in text
        assert format_code(person.code) in text
        assert "portail.example.fr/code" in text
        assert "Objet : Votre logement 1" in text or "Objet : Votre logement" in text
        assert "À Démoville, le 2 décembre 2026" in text
        assert "Marie Durand" in text and "Paul Lambert" in text
        assert "{{" not in text


def test_each_qr_code_scans_to_its_own_letter(campaign):
    recipients, pdf, _pages, _count = campaign
    document = pypdfium2.PdfDocument(pdf)
    for index, person in enumerate(recipients):
        image = document[index].render(scale=150 / 72).to_pil()  # a 150 dpi print
        found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
        assert [barcode.text for barcode in found] == [f"{BASE_URL}/l/{person.token}"]


def test_the_qr_code_is_vector_and_the_text_is_text(campaign):
    _recipients, pdf, _pages, _count = campaign
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    assert len(page.images) == 3  # the logo and two signatures: no bitmap QR code
    assert len(page_text(page)) > 1000


def test_metadata(campaign):
    _recipients, pdf, _pages, _count = campaign
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.metadata.title == "Campagne de test"
    assert reader.metadata.author == "Commune de Démoville"
    assert reader.trailer["/Root"]["/Lang"] == "fr"


def test_a_long_body_flows_onto_a_second_page_without_losing_text():
    sentences = [f"Phrase numéro {n} d’un très long courrier." for n in range(1, 121)]
    body = "Madame, Monsieur,\n\n" + "\n\n".join(
        " ".join(sentences[i : i + 6]) for i in range(0, 120, 6)
    )
    body += "\n\n{{letter.qrCode}}\n\nFin du courrier."
    person, following = recipient(7), recipient(8)
    pdf, pages, _count = rendered(layout(body=body), [person, following])
    reader = PdfReader(io.BytesIO(pdf))
    assert pages[0] >= 2 and len(reader.pages) == sum(pages)
    text = " ".join(page_text(page) for page in reader.pages[: pages[0]])
    numbers = [int(n) for n in re.findall(r"Phrase numéro (\d+) d’un", text)]
    assert numbers == list(range(1, 121))
    assert text.index("Fin du courrier.") > text.index("Phrase numéro 120")
    second = page_text(reader.pages[1])
    assert person.owner_name in second and f"2/{pages[0]}" in second  # sheets stay together
    assert following.owner_name in page_text(reader.pages[pages[0]])  # the next letter


def test_a_template_with_an_unknown_field_is_refused_before_printing():
    out = io.BytesIO()
    with pytest.raises(TemplateError) as error:
        render(layout(body="Bonjour {{owner.foo}}"), [recipient()], out)
    assert error.value.excerpt == "owner.foo"
    assert out.getvalue() == b""


def test_a_template_with_unbalanced_braces_is_refused():
    with pytest.raises(TemplateError):
        render(layout(subject="Votre logement {{housing.rawAddress}"), [recipient()], io.BytesIO())


def test_progress_and_letters_without_logo_or_signatures():
    calls = []
    the_layout = layout(logo=None, signatories=(Signatory(name="Marie Durand"),))
    pdf, pages, count = rendered(the_layout, (recipient(n) for n in range(150)), workers=0,
                                 progress=calls.append)  # fmt: skip
    assert count == 150 and calls == [100, 150]
    assert len(PdfReader(io.BytesIO(pdf)).pages) == sum(pages)


def test_worker_processes_give_the_same_letters():
    recipients = [recipient(n) for n in range(1, 6)]
    alone, pages_alone, _ = rendered(layout(), recipients, workers=0)
    pooled, pages_pooled, count = rendered(layout(), recipients, workers=1)
    assert count == 5 and pages_pooled == pages_alone
    texts = [[page_text(page) for page in PdfReader(io.BytesIO(pdf)).pages]
             for pdf in (alone, pooled)]  # fmt: skip
    assert texts[0] == texts[1]


def test_the_address_is_inside_the_envelope_window_and_alone_there():
    """DL envelope, window 100 × 45 mm at 20 mm from the right and 15 mm from the bottom;
    the folded sheet moves 10 mm sideways and 11 mm up and down (portal.letters.layout)."""
    planner = Planner(layout())
    fonts = planner.fonts
    long_address = ("APPARTEMENT 12 ESCALIER B", "RESIDENCE LES GLYCINES DU GRAND PARC",
                    "LIEU-DIT LES MOULINS", "1234 AVENUE DU MARECHAL DE LATTRE DE TASSIGNY",
                    "58200 COSNE-COURS-SUR-LOIRE")  # fmt: skip
    person = recipient(
        owner_name="MONSIEUR JEAN-CHRISTOPHE DUPONT-MARTIN", address_lines=long_address
    )
    first_page = planner.plan(person)[0]
    address = first_page[:6]
    assert len(address) == 6
    for op in address:
        top, bottom = op.y - op.size * 0.3528 * 0.8, op.y + op.size * 0.3528 * 0.25
        right = op.x + fonts.width(op.text, op.font, op.size)
        assert op.x >= 100 + 3 and right <= 190 - 3, op.text  # seen whatever the shift
        assert top >= 50 + 3 and bottom <= 84 - 3, op.text
    for op in planner.header + first_page[6:]:
        if hasattr(op, "text"):
            left, right = op.x, op.x + fonts.width(op.text, op.font, op.size)
            top, bottom = op.y - op.size * 0.3528, op.y
        elif hasattr(op, "key"):
            left, right, top, bottom = op.x, op.x + op.width, op.y, op.y + op.height
        else:
            left, right, top, bottom = op.x, op.x + 28, op.y, op.y + 28
        in_window = right > 90 and left < 200 and bottom > 50 - 11 and top < 95
        assert not in_window, op
