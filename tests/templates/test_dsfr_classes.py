"""DSFR classes live only in templates/dsfr/ and the base layout (templates/base.html).

Page templates call the macros of templates/dsfr/ (dsfr/grid.html, dsfr/layout.html, the
components) and never name a DSFR class themselves, so that a neutral theme stays possible
(README.md, "Layout"). The same goes for Python that builds HTML: a field renders its
templates/dsfr/ macro instead.

The rule is read strictly: any `fr-…` token outside a Jinja comment counts, whether it sits
in a class attribute, in a string passed to a macro (`"classes": "fr-mb-3w"`) or in a
`{% set %}`. A DSFR JavaScript hook (`data-fr-…`) counts too.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
ALLOWED = ("dsfr/", "base.html")

# A DSFR name starts a token: not inside a word, a longer name or a URL ("…-fr-particuliers").
DSFR_NAME = re.compile(r"(?<![\w./-])(?:data-)?fr-[a-z][a-z0-9_-]*")
JINJA_COMMENT = re.compile(r"\{#.*?#\}", re.DOTALL)


def dsfr_names(text: str) -> list[tuple[int, str]]:
    """(line number, name) of each DSFR class or hook in a template's text, comments left out
    (a comment is blanked but its newlines kept, so line numbers stay right)."""
    text = JINJA_COMMENT.sub(lambda match: "\n" * match.group().count("\n"), text)
    return [
        (number, name)
        for number, line in enumerate(text.splitlines(), start=1)
        for name in DSFR_NAME.findall(line)
    ]


def page_templates() -> list[Path]:
    return sorted(
        path
        for path in TEMPLATES.rglob("*")
        if path.is_file() and not path.relative_to(TEMPLATES).as_posix().startswith(ALLOWED)
    )


def crossings(paths: list[Path]) -> list[str]:
    found = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        for number, name in dsfr_names(text):
            where = path.relative_to(ROOT).as_posix()
            found.append(f"{where}:{number}: {name}    {lines[number - 1].strip()[:100]}")
    return found


def test_page_templates_name_no_dsfr_class():
    found = crossings(page_templates())
    if found:
        pytest.fail(
            "DSFR classes belong in templates/dsfr/ and templates/base.html; call a macro "
            "(dsfr/grid.html, dsfr/layout.html, a component) instead:\n" + "\n".join(found),
            pytrace=False,
        )


def test_python_builds_no_html_with_dsfr_classes():
    found = crossings(sorted((ROOT / "portal").rglob("*.py")))
    if found:
        pytest.fail(
            "Python renders a templates/dsfr/ macro rather than writing DSFR classes:\n"
            + "\n".join(found),
            pytrace=False,
        )


def test_the_sweep_reads_the_page_templates():
    names = {path.relative_to(TEMPLATES).as_posix() for path in page_templates()}
    assert {"backoffice/queue.html", "owner/check.html", "public/aid.html"} <= names
    assert "errors/404.html" in names and "owner/callback_receipt.txt" in names
    assert not any(name.startswith("dsfr/") for name in names) and "base.html" not in names


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('<li class="fr-mb-2w">', [(1, "fr-mb-2w")]),
        (
            '<div class="x fr-grid-row fr-grid-row--gutters">',
            [(1, "fr-grid-row"), (1, "fr-grid-row--gutters")],
        ),
        ('{{ alert({"small": true, "classes": "fr-mb-3w"}) }}', [(1, "fr-mb-3w")]),
        ("{% set cls = 'fr-col-12' %}", [(1, "fr-col-12")]),
        ('<p>\n<button data-fr-opened="false">', [(2, "data-fr-opened")]),
        ("{# a comment may say fr-sr-only #}<p>", []),
        ('{#\n fr-sr-only\n#}\n<span class="fr-sr-only">', [(4, "fr-sr-only")]),
        ('<a href="https://example.fr/service-public-fr-particuliers">', []),
        ('<html lang="fr">{{ spacing(bottom="3w") }}', []),
    ],
)
def test_what_counts_as_a_dsfr_name(text, expected):
    assert dsfr_names(text) == expected
