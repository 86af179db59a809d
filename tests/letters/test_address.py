"""The postal block: at most 6 lines of at most 38 characters, "POSTCODE TOWN" last."""

from __future__ import annotations

import pytest

from portal.letters.address import (
    LINE_SHORTENED,
    MAX_CHARACTERS,
    MAX_LINES,
    NO_NAME,
    NO_POSTCODE_LINE,
    NO_STREET_LINE,
    TOO_MANY_LINES,
    postal_block,
)


def test_a_clean_address_is_printed_as_given():
    lines, problems = postal_block("Jeanne MARTIN", ["12 RUE DES TILLEULS", "58000 NEVERS"])
    assert lines == ["Jeanne MARTIN", "12 RUE DES TILLEULS", "58000 NEVERS"]
    assert problems == []


def test_blank_lines_spaces_and_the_country_are_dropped():
    lines, problems = postal_block(
        "  Jeanne   MARTIN ", ["", "12  RUE DES TILLEULS ", "  ", "58 000 NEVERS", "FRANCE"]
    )
    assert lines == ["Jeanne MARTIN", "12 RUE DES TILLEULS", "58000 NEVERS"]
    assert problems == []


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        (["12 RUE DES TILLEULS", "NEVERS"], NO_POSTCODE_LINE),
        (["58000 NEVERS", "12 RUE DES TILLEULS"], NO_POSTCODE_LINE),
        (["12 RUE DES TILLEULS", "NEVERS 58000"], NO_POSTCODE_LINE),
        (["Musterstraße 1", "10115 Berlin", "ALLEMAGNE"], NO_POSTCODE_LINE),
        (["58000 NEVERS"], NO_STREET_LINE),
        ([], NO_POSTCODE_LINE),
    ],
)
def test_addresses_a_person_should_look_at_are_flagged(address, problem):
    assert problem in postal_block("Jeanne MARTIN", address).problems


def test_an_address_without_a_name_is_flagged():
    assert NO_NAME in postal_block("", ["12 RUE DES TILLEULS", "58000 NEVERS"]).problems


def test_more_than_six_lines_become_six_keeping_name_street_and_town():
    address = ["CHEZ M. DURAND", "APPARTEMENT 12", "ESCALIER B", "BATIMENT 3",
               "RESIDENCE LES GLYCINES", "12 RUE DES TILLEULS", "58000 NEVERS"]  # fmt: skip
    lines, problems = postal_block("Jeanne MARTIN", address)
    assert len(lines) == MAX_LINES
    assert lines[0] == "Jeanne MARTIN"
    assert lines[-2:] == ["12 RUE DES TILLEULS", "58000 NEVERS"]
    assert TOO_MANY_LINES in problems
    assert " ".join(lines).split() == ["Jeanne", "MARTIN", *" ".join(address).split()]  # joined


def test_long_lines_are_abbreviated_else_cut_at_a_space():
    street = "12 AVENUE DU MARECHAL DE LATTRE DE TASSIGNY"  # 43 characters
    lines, problems = postal_block("Jeanne MARTIN", [street, "58000 NEVERS"])
    assert lines[1] == "12 AV DU MAL DE LATTRE DE TASSIGNY"  # La Poste's abbreviations
    assert LINE_SHORTENED in problems
    name = "MONSIEUR JEAN-CHRISTOPHE DE LA FONTAINE SAINT AUBIN"
    lines, _ = postal_block(name, ["12 RUE DES TILLEULS", "58000 NEVERS"])
    assert len(lines[0]) <= MAX_CHARACTERS
    assert name.startswith(lines[0]) and name[len(lines[0])] == " "  # not cut mid-word


def test_a_long_complement_takes_a_second_line_when_there_is_room():
    complement = "RESIDENCE LES JARDINS DU PARC BATIMENT B ESCALIER 3 ETAGE 2"
    lines, problems = postal_block("Jeanne MARTIN", [complement, "1 RUE X", "58000 NEVERS"])
    assert lines[1:3] == ["RES LES JARDINS DU PARC BAT B ESC 3", "ETAGE 2"]
    assert len(lines) == 5 and LINE_SHORTENED in problems


@pytest.mark.parametrize("count", range(0, 10))
def test_never_more_than_six_lines_of_38_characters(count):
    address = [f"LIGNE {n} " + "X" * (n * 7) for n in range(count)] + ["58000 NEVERS"]
    lines, _ = postal_block("Jeanne MARTIN " * 4, address)
    assert 1 <= len(lines) <= MAX_LINES
    assert all(0 < len(line) <= MAX_CHARACTERS for line in lines)
    assert lines[-1] == "58000 NEVERS"
