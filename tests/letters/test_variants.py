"""The letter wordings an experiment can print (guidance_content/letters/): every variant
loads in French and English, prints on one page, and gives the same access as the usual
letter; only the framing changes."""

from __future__ import annotations

import io
import re

import pytest

from portal.config import ROOT
from portal.experiments.wordings import CONTROL, LEVERS, letter_variants
from portal.letters.merge import QR_CODE, check, is_qr_paragraph, load_template, paragraphs
from portal.letters.pdf import render
from tests.letters.samples import layout, recipient

CONTENT = ROOT / "guidance_content"
VARIANTS = letter_variants(CONTENT)
TEXTS = [(slug, locale) for slug in VARIANTS for locale in ("fr", "en")]
# What every arm says, whatever its framing: the same facts and the same ways in.
SAME_ACCESS = {
    "fr": ("{{portal.address}}", "coordonnées bancaires", "mot de passe", "Appelez",
           "plus de deux ans", "rappelle", "mairie"),
    "en": ("{{portal.address}}", "bank details", "password", "Call", "more than two years",
           "call you back", "town hall"),
}  # fmt: skip


def test_the_toolkit_variants_are_listed_with_their_lever_control_first():
    assert next(iter(VARIANTS)) == CONTROL
    levers = {slug: wording.lever for slug, wording in VARIANTS.items()}
    assert levers == {
        "standard": "control",
        "simplified": "simplification",
        "social-norm": "social_norm",
        "cost-of-vacancy": "loss_aversion",
        "local-pride": "local_pride",
        "fresh-start": "fresh_start",
    }
    assert set(levers.values()) <= set(LEVERS)
    for wording in VARIANTS.values():
        assert wording.label["fr"] != wording.label["en"]
        assert wording.description["fr"] and wording.description["en"]


@pytest.mark.parametrize(("slug", "locale"), TEXTS)
def test_each_text_has_valid_fields_and_the_same_access(slug, locale):
    subject, body = load_template(CONTENT, slug, locale)
    assert subject and "{{housing.rawAddress}}" in subject
    assert check(subject) == [] and check(body) == []
    assert [p for p in paragraphs(body) if QR_CODE in p] == [f"{{{{{QR_CODE}}}}}"]
    assert all(is_qr_paragraph(p) for p in paragraphs(body) if QR_CODE in p)
    for words in SAME_ACCESS[locale]:
        assert words in body, f"{slug}.{locale}.md does not say {words!r}"
    assert "'" not in subject + body  # typographic apostrophes only
    # No invented figures: the only digits a text may hold are in its merge fields.
    assert not re.search(r"\d|%", re.sub(r"\{\{[^}]*\}\}", "", subject + body))


@pytest.mark.parametrize("slug", list(VARIANTS))
def test_french_typography(slug):
    subject, body = load_template(CONTENT, slug, "fr")
    for mark in (":", ";", "?", "!", "»"):
        assert f" {mark}" not in subject + body, f"{slug}: an ordinary space before {mark}"
    assert "vous" in body and "« " not in body


def test_only_the_cost_variant_speaks_of_the_vacancy_tax_and_only_conditionally():
    for slug in VARIANTS:
        _subject, body = load_template(CONTENT, slug, "fr")
        if "taxe sur les logements vacants" in body:
            assert slug == "cost-of-vacancy"
            assert "Si votre commune l’applique" in body
    assert "If your municipality applies it" in load_template(CONTENT, "cost-of-vacancy", "en")[1]


def test_subjects_differ_so_a_printed_letter_shows_its_arm():
    subjects = [load_template(CONTENT, slug)[0] for slug in VARIANTS]
    assert len(set(subjects)) == len(subjects)


@pytest.mark.parametrize("slug", list(VARIANTS))
def test_each_french_letter_prints_on_one_page(slug):
    subject, body = load_template(CONTENT, slug)
    pages = []
    render(layout(subject=subject, body=body), [recipient(1)], io.BytesIO(),
           on_letter=lambda _r, n: pages.append(n))  # fmt: skip
    assert pages == [1]
