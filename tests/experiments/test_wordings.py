"""The wording variants as content: the portal's own load, each in French and English with
the same keys, and a broken content tree refused with the file, the line and the reason."""

from __future__ import annotations

import shutil

import pytest

from portal.config import ROOT
from portal.experiments.wordings import CONTROL, LEVERS, letter_variants, page_variants
from portal.rules.yamlfile import ContentError

CONTENT = ROOT / "guidance_content"


def test_the_letter_variants_load_each_with_its_texts():
    variants = letter_variants(CONTENT)
    assert len(variants) == 6 and next(iter(variants)) == CONTROL
    for slug in variants:
        for locale in ("fr", "en"):
            assert (CONTENT / "letters" / f"{slug}.{locale}.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("page", ["landing", "results"])
def test_the_page_variants_load_with_the_same_keys_in_both_languages(page):
    variants = page_variants(CONTENT, page)
    assert next(iter(variants)) == CONTROL and len(variants) >= 2
    keys = set(variants[CONTROL].texts["fr"])
    for wording in variants.values():
        assert wording.lever in LEVERS
        assert set(wording.texts["fr"]) == set(wording.texts["en"]) == keys
        assert wording.label["fr"] and wording.label["en"] and wording.description["en"]
        for key in keys:  # a translation, not a copy
            assert wording.texts["fr"][key] != wording.texts["en"][key]
        assert "'" not in "".join(wording.texts["fr"].values())  # typographic apostrophes
    assert len({wording.lever for wording in variants.values()}) == len(variants)


def test_the_standard_page_texts_are_todays():
    landing = page_variants(CONTENT, "landing")[CONTROL].texts
    assert landing["fr"]["start"] == "Commencer" and landing["en"]["start"] == "Start"
    assert landing["fr"]["lead"].startswith("Selon les fichiers fiscaux, ce logement est inoccupé")
    assert landing["fr"]["how"].startswith("Répondez à quelques questions, une par page\u00a0:")
    results = page_variants(CONTENT, "results")[CONTROL].texts
    assert results["fr"] == {
        "callback_button": "Être rappelé",
        "talk_text": "Un agent de votre collectivité peut vous rappeler pour en parler, "
        "gratuitement.",
        "talk_button": "Demander un rappel",
    }


# A broken tree ------------------------------------------------------------------------------


@pytest.fixture
def tree(tmp_path):
    """A writable copy of the portal's letters/ and pages/ (the loaders are cached by path)."""
    root = tmp_path / "content"
    for folder in ("letters", "pages"):
        shutil.copytree(CONTENT / folder, root / folder)
    return root


def edit(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_copy_loads(tree):
    assert list(letter_variants(tree)) == list(letter_variants(CONTENT))
    assert list(page_variants(tree, "results")) == list(page_variants(CONTENT, "results"))


def test_a_missing_english_letter_is_named(tree):
    (tree / "letters" / "fresh-start.en.md").unlink()
    with pytest.raises(ContentError, match=r"variants\.yaml:\d+: .*fresh-start\.en\.md is missing"):
        letter_variants(tree)


@pytest.mark.parametrize("kind", ["letters", "pages"])
def test_an_unknown_lever_is_refused(tree, kind):
    path = (
        tree / "letters" / "variants.yaml" if kind == "letters" else tree / "pages" / "landing.yaml"
    )
    edit(path, "lever: simplification", "lever: nudge")
    with pytest.raises(ContentError, match="'simplified': lever must be one of control"):
        letter_variants(tree) if kind == "letters" else page_variants(tree, "landing")


def test_a_variant_without_its_english_label_is_refused(tree):
    edit(tree / "letters" / "variants.yaml", '    en: "Simplified letter"\n', "")
    with pytest.raises(ContentError, match="'simplified': label needs a text in fr and en"):
        letter_variants(tree)


@pytest.mark.parametrize(
    ("old", "new", "reason"),
    [
        ('        start: "Answer the questions"\n', "", r"'simplified' \(en\): texts must be how, "
         "lead, start"),
        ('        start: "Answer the questions"\n', '        start: "Answer the questions"\n'
         '        extra: "More"\n', r"'simplified' \(en\): texts must be"),
        ('        start: "Answer the questions"\n', '        start: ""\n', "each non-empty"),
    ],
)  # fmt: skip
def test_page_texts_must_have_the_standards_keys(tree, old, new, reason):
    edit(tree / "pages" / "landing.yaml", old, new)
    with pytest.raises(ContentError, match=reason) as error:
        page_variants(tree, "landing")
    assert "landing.yaml:" in str(error.value)


def test_a_page_without_its_standard_is_refused(tree):
    edit(tree / "pages" / "results.yaml", "  standard:", "  usual:")
    with pytest.raises(ContentError, match="the control 'standard' is missing"):
        page_variants(tree, "results")


def test_the_portal_refuses_to_start_without_a_pages_texts(tmp_path):
    from portal.guidance import _load

    root = tmp_path / "content"
    shutil.copytree(CONTENT, root)
    (root / "pages" / "results.yaml").unlink()
    with pytest.raises(ContentError, match=r"results\.yaml: missing"):
        _load(str(root))
    other = tmp_path / "other"  # (the loaders are cached by path)
    shutil.copytree(CONTENT, other)
    edit(other / "letters" / "variants.yaml", "lever: simplification", "lever: nudge")
    with pytest.raises(ContentError, match="lever must be one of"):
        _load(str(other))
