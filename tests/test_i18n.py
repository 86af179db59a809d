"""Languages: French by default, English complete, a switch that remembers the choice."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from portal.commands.i18n import extract_to

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"


def test_french_by_default(client):
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="fr"' in html


def test_the_switch_changes_the_language_and_returns_to_the_page(client):
    response = client.get("/langue/en?next=/accessibilite")
    assert response.status_code == 303
    assert response.headers["Location"] == "/accessibilite"
    html = client.get("/accessibilite").get_data(as_text=True)
    assert '<html lang="en"' in html
    assert "Accessibility" in html
    client.get("/langue/fr?next=/")
    assert '<html lang="fr"' in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:x"]
)
def test_the_switch_never_redirects_elsewhere(client, target):
    response = client.get("/langue/en", query_string={"next": target})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_an_unknown_language_is_a_404(client):
    assert client.get("/langue/de?next=/").status_code == 404


def test_every_page_offers_the_switch(client):
    html = client.get("/").get_data(as_text=True)
    assert 'hreflang="en"' in html
    assert "/langue/en" in html


def test_the_english_catalog_is_complete():
    with open(TRANSLATIONS / "messages.pot", "rb") as handle:
        template = read_po(handle)
    with open(TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po", "rb") as handle:
        english = read_po(handle)
    missing = [
        message.id
        for message in template
        if message.id and not (english.get(message.id) and english.get(message.id).string)
    ]
    fuzzy = [message.id for message in english if message.id and message.fuzzy]
    assert not missing, f"untranslated in English: {missing[:10]}"
    assert not fuzzy, f"fuzzy in English: {fuzzy[:10]}"


def test_the_template_is_up_to_date(tmp_path):
    """`portal i18n extract` would not add anything: no string escapes translation."""
    out = tmp_path / "messages.pot"
    extract_to(out)
    with open(out, "rb") as fresh, open(TRANSLATIONS / "messages.pot", "rb") as kept:
        assert {m.id for m in read_po(fresh)} == {m.id for m in read_po(kept)}, (
            "run `portal i18n update` and translate the new strings"
        )


def render_in(app, language: str, source: str) -> str:
    from flask import render_template_string, session

    with app.test_request_context("/"):
        session["lang"] = language
        return render_template_string(source)


def test_templates_translate_with_the_pages_language(app):
    source = '{{ _("Votre logement") }}'
    assert render_in(app, "fr", source) == "Votre logement"
    assert render_in(app, "en", source) == "Your property"
    assert render_in(app, "fr", source) == "Votre logement"  # each catalog its own messages


def test_translated_messages_escape_their_variables_only(app):
    source = '{{ _("Agents de %(collectivite)s", collectivite=c) }}'
    html = render_in(app, "en", "{% set c = '<b>A & B</b>' %}" + source)
    assert html == "Agents of &lt;b&gt;A &amp; B&lt;/b&gt;"
    plain = render_in(app, "en", "{% autoescape false %}{% set c = '<b>A</b>' %}" + source
                      + "{% endautoescape %}")  # fmt: skip
    assert plain == "Agents of <b>A</b>"


def test_a_message_is_always_a_format_string(app):
    assert render_in(app, "fr", '{{ _("100 %% sûr") }}') == "100 % sûr"
    assert render_in(app, "fr", '{{ gettext("%(n)s %%", n=5) }}') == "5 %"
