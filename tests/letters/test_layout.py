"""The letter's geometry and words: dates, fonts, margins."""

from __future__ import annotations

from datetime import date

from portal.config import ROOT
from portal.letters.layout import RIGHT, Fonts, french_date
from portal.letters.letter import Planner
from portal.letters.merge import load_template
from tests.letters.samples import layout, recipient


def test_french_dates():
    assert french_date(date(2026, 12, 2)) == "2\u00a0décembre\u00a02026"
    assert french_date(date(2026, 5, 1)) == "1er\u00a0mai\u00a02026"


def test_the_fonts_have_every_character_of_the_default_letter():
    fonts = Fonts()
    subject, body = load_template(ROOT / "guidance_content")
    assert set(subject + body) - {"\n"} <= set(fonts.widths["regular"])
    assert set("0123456789ABCDEFGHJKMNPQRSTVWXYZ-") <= set(fonts.widths["mono"])


def test_characters_the_fonts_lack_are_replaced_not_dropped():
    fonts = Fonts()
    assert fonts.printable("Nguyễn Ōtsuka") == "Nguyen Ōtsuka"  # the accent it lacks
    assert fonts.printable("李") == "\ufffd"


def test_every_line_stays_inside_the_margins():
    place = "Saint-Rémy-de-Provence-sur-la-Durance-et-les-Alpilles-Haute-Vallée"
    planner = Planner(layout(written_from=place))
    person = recipient(owner_name="Jean-Christophe " * 6, values={
        "housing.rawAddress": ["123456789" * 30]})  # fmt: skip
    for op in planner.header + [op for page in planner.plan(person) for op in page]:
        if hasattr(op, "text"):
            assert op.x >= 20 and op.x + planner.fonts.width(op.text, op.font, op.size) <= RIGHT


def test_nothing_is_printed_in_the_qr_codes_quiet_zone():
    """ISO/IEC 18004: four modules of white around the symbol, whatever the spacing."""
    planner = Planner(layout())
    long_body = "\n\n".join(["Une phrase assez longue pour remplir la page. " * 6] * 9)
    tighter = Planner(layout(body=long_body + "\n\n{{letter.qrCode}}\n\nFin."))
    for letter in (planner.plan(recipient()), tighter.plan(recipient())):
        for page in letter:
            codes = [op for op in page if type(op).__name__ == "Qr"]
            for code in codes:
                quiet = 4 * code.module
                left, top = code.x - quiet, code.y - quiet
                right = code.x + code.module * code.code.size + quiet
                bottom = code.y + code.module * code.code.size + quiet
                for op in page:
                    if not hasattr(op, "text"):
                        continue
                    size = op.size * 0.3528
                    width = planner.fonts.width(op.text, op.font, op.size)
                    overlaps = (
                        op.x < right
                        and op.x + width > left
                        and op.y - 0.75 * size < bottom
                        and op.y + 0.22 * size > top
                    )
                    assert not overlaps, op
