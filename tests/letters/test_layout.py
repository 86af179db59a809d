"""The letter's geometry and words: dates, fonts, margins."""

from __future__ import annotations

from datetime import date

from portal.config import ROOT
from portal.letters.layout import RIGHT, Fonts, french_date
from portal.letters.letter import Planner
from portal.letters.merge import load_template
from tests.letters.samples import layout, recipient


def test_french_dates():
    assert french_date(date(2026, 12, 2)) == "2 décembre 2026"
    assert french_date(date(2026, 5, 1)) == "1er mai 2026"


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
