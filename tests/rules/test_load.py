"""Malformed content is refused at load, naming the file and the line."""

from __future__ import annotations

import pytest

from portal.rules import ContentError, load_content


def test_the_miniature_tree_loads(content):
    assert list(content.questions) == ["situation", "works", "label", "band"]
    assert set(content.aids) == {"bonus", "works-grant"}
    assert content.communes["00001"].density_level == 6
    assert "local:bonus-testville" in content.locals["123456789"].aids


def rewrite(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.mark.parametrize(
    ("file", "old", "new", "message", "line"),
    [
        (
            "aids/bonus.yaml",
            "{var: situation, eq: vacant}",
            "{var: situaton, eq: vacant}",
            "unknown variable 'situaton'",
            9,
        ),
        (
            "aids/bonus.yaml",
            "{var: situation, eq: vacant}",
            "{var: situation, eq: empty}",
            "unknown option(s) ['empty']",
            9,
        ),
        (
            "aids/bonus.yaml",
            "contains_any: [roof, heating]",
            "contains_any: [roof, attic]",
            "unknown option(s) ['attic']",
            11,
        ),
        ("aids/bonus.yaml", "kind: subsidy", "kind: gift", "kind must be one of", 1),
        (
            "aids/bonus.yaml",
            'title: {fr: "Prime rurale", en: "Rural bonus"}',
            'title: {fr: "Prime rurale"}',
            "'title' needs a text in 'en'",
            3,
        ),
        ("aids/bonus.yaml", "contacts: [adviser]", "contacts: [nobody]", "unknown contact", 1),
        ("aids/bonus.yaml", "formula: bonus", "formula: __import__('os')", "unknown function", 13),
        ("aids/bonus.yaml", 'gives: {fr: "{bonus}"', 'gives: {fr: "{malus}"', "malus", None),
        (
            "aids/works-grant.yaml",
            'explain: {fr: "Le logement n’est pas classé G", en: "The property is not rated G"}',
            "other: 1",
            "cannot read this condition",
            10,
        ),
        (
            "aids/works-grant.yaml",
            '    - not: {var: label, eq: G}\n      explain: {fr: "Le logement '
            'n’est pas classé G", en: "The property is not rated G"}',
            "    - not: {var: label, eq: G}",
            "'not' condition needs an 'explain'",
            10,
        ),
        (
            "questions/works.yaml",
            "ask_if: {var: situation, eq: vacant}",
            "ask_if: {var: band, eq: low}",
            "unknown variable 'band'",
            3,
        ),
        ("parameters.yaml", "2026-01-01: 2000", "next year: 2000", "effective dates", 6),
        (
            "manifest.yaml",
            "order: [situation, works, label, band]",
            "order: [situation, works, label]",
            "questions not in 'order'",
            None,
        ),
        ("reference/communes.csv", "00001,Testville,6", "00001,Testville,9", "density", 2),
        ("aids/bonus.yaml", "rank: 10", "rank: 10\nrank: 11", "duplicate key 'rank'", 22),
        ("aids/bonus.yaml", "slug: bonus", "slug: [bonus", "invalid YAML", None),
    ],
)
def test_a_bad_file_is_refused_with_file_and_line(content_copy, file, old, new, message, line):
    rewrite(content_copy / file, old, new)
    with pytest.raises(ContentError) as raised:
        load_content(content_copy)
    assert message in str(raised.value)
    assert raised.value.path.endswith(file)
    if line is not None:
        assert raised.value.line == line, str(raised.value)


def test_an_unknown_key_is_refused(content_copy):
    rewrite(content_copy / "aids/bonus.yaml", "rank: 10", "rank: 10\nranking: 3")
    with pytest.raises(ContentError, match="unknown key"):
        load_content(content_copy)


def test_a_local_aid_must_say_it_is_local(content_copy):
    rewrite(content_copy / "local/123456789.yaml", 'slug: "local:bonus-testville"', "slug: bonus2")
    with pytest.raises(ContentError, match="local:<name>"):
        load_content(content_copy)


def test_the_real_content_loads():
    from portal.config import ROOT

    real = load_content(ROOT / "guidance_content")
    assert real.questions and real.aids
