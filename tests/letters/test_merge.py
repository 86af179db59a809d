"""Merge fields: the template is checked before printing, and a letter never shows braces."""

from __future__ import annotations

import pytest

from portal.config import ROOT
from portal.letters.merge import (
    FIELDS,
    ZLV_FIELDS,
    TemplateError,
    check,
    fill,
    format_value,
    french_typography,
    load_template,
)


def test_zlv_fields_and_ours_are_known():
    assert len(ZLV_FIELDS) == 12
    assert check(" ".join(f"{{{{{name}}}}}" for name in FIELDS if name != "letter.qrCode")) == []


@pytest.mark.parametrize(
    ("template", "unknown"),
    [
        ("Bonjour {{owner.foo}}", ["owner.foo"]),
        ("{{ owner.fullName }} {{housing.surface}} {{housing.surface}}", ["housing.surface"]),
        ("{{owner.fullname}}", ["owner.fullname"]),  # names are case-sensitive, as in ZLV
        ("{{}}", [""]),
        ("{{ sender.phone }}", ["sender.phone"]),
    ],
)
def test_check_names_the_unknown_fields(template, unknown):
    assert check(template) == unknown


@pytest.mark.parametrize(
    "template",
    ["Bonjour {{owner.fullName}", "Bonjour {owner.fullName}}", "{{owner.fullName}} }",
     "Coût { estimé", "{{{owner.fullName}}}", "{{owner.{fullName}}"],
)  # fmt: skip
def test_check_refuses_unbalanced_braces(template):
    with pytest.raises(TemplateError) as error:
        check(template)
    assert error.value.reason == "unbalanced_braces"


def test_the_qr_code_stands_alone_in_its_paragraph():
    assert check("Scannez :\n\n  {{ letter.qrCode }}  \n\nMerci") == []
    with pytest.raises(TemplateError) as error:
        check("Scannez {{letter.qrCode}} puis tapez le code.")
    assert error.value.reason == "qr_code_not_alone"


def test_fill_tolerates_spaces_and_prints_missing_values_empty():
    text = "À {{ owner.fullName }}, logement {{housing.localId}} ({{housing.roomsCount}} pièces)"
    filled = fill(text, {"owner.fullName": "Jeanne Martin", "housing.roomsCount": 3})
    assert filled == "À Jeanne Martin, logement (3 pièces)"
    assert "{" not in fill("{{owner.foo}} et {{housing.plotId}}", {})


@pytest.mark.parametrize(
    ("name", "value", "printed"),
    [
        ("housing.housingKind", "APPART", "appartement"),
        ("housing.housingKind", "MAISON", "maison"),
        ("housing.livingArea", 45, "45\u00a0m²"),
        ("housing.livingArea", 45.5, "45,5\u00a0m²"),
        ("housing.rawAddress", ["12 RUE DES LILAS", "", "58000 NEVERS"],
         "12 RUE DES LILAS, 58000\u00a0NEVERS"),
        ("housing.buildingYear", 1931, "1931"),
        ("housing.energyConsumption", None, ""),
    ],
)  # fmt: skip
def test_values_are_printed_as_zlv_prints_them(name, value, printed):
    assert format_value(name, value) == printed


def test_french_typography_leaves_fields_and_addresses_alone():
    text = french_typography("Objet : l'aide ! « Vite » ; https://x.fr {{ owner.fullName }}")
    assert text == (
        "Objet\u00a0: l’aide\u202f! «\u00a0Vite\u00a0»\u202f; https://x.fr {{ owner.fullName }}"
    )


def test_the_default_letter_is_valid_plain_and_reassuring():
    subject, body = load_template(ROOT / "guidance_content")
    assert subject and "{{" in subject
    assert check(subject) == [] and check(body) == []
    assert "{{letter.qrCode}}" in body and "{{portal.address}}" in body
    assert "'" not in body + subject  # typographic apostrophes only
    for mark in (":", ";", "?", "!", "»"):
        assert f" {mark}" not in body, f"an ordinary space before {mark}"
    assert "coordonnées bancaires" in body and "mot de passe" in body
    assert "Appelez-nous" in body
