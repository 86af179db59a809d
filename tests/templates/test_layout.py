"""The layout (templates/base.html): title, error summary, flashed messages, DSFR pieces."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from flask import flash
from wtforms.validators import InputRequired

from portal import create_app
from portal.forms import PortalForm, RadioField, SelectChoice, StringField
from tests.page_quality import check_page

PAGE = """{% extends "base.html" %}
{% block title %}Votre téléphone{% endblock %}
{% block content %}<h1>{{ self.title() }}</h1>
<form method="post" action="/envoyer">{{ form.hidden_tag() }}
{{ form.phone() }}{{ form.answer() }}</form>
{% endblock %}"""


class PhoneForm(PortalForm):
    phone = StringField("Téléphone", validators=[InputRequired("Indiquez votre numéro")])
    answer = RadioField(
        "Souhaitez-vous être rappelé ?",
        choices=[SelectChoice("oui", "Oui"), SelectChoice("non", "Non")],
        validators=[InputRequired("Dites si vous souhaitez être rappelé")],
    )


@pytest.fixture(scope="module")
def layout_app():
    """No database needed: the app only renders templates."""
    return create_app("test")


def render_page(layout_app, data=None):
    with layout_app.test_request_context(method="POST" if data is not None else "GET", data=data):
        form = PhoneForm()
        if data is not None:
            form.validate()
        context = {"form": form}
        layout_app.update_template_context(context)
        return layout_app.jinja_env.from_string(PAGE).render(context)


def test_page_without_errors(layout_app):
    html = render_page(layout_app)
    soup = BeautifulSoup(html, "html.parser")
    assert soup.title.get_text() == "Votre téléphone – Portail propriétaires"
    assert soup.find(id="resume-erreurs") is None
    assert soup.find("html")["lang"] == "fr"
    assert soup.find("main")["id"] == "contenu"
    assert check_page(html, None, {"scripts": "no CSP header outside a response"}) == []


def test_errors_prefix_the_title_and_are_summarised_with_links(layout_app):
    html = render_page(layout_app, data={"phone": ""})
    soup = BeautifulSoup(html, "html.parser")
    assert soup.title.get_text().startswith("Erreur\u00a0: Votre téléphone")
    summary = soup.find(id="resume-erreurs")
    assert summary["role"] == "alert"
    assert "fr-alert--error" in summary["class"]
    links = {a["href"]: a.get_text() for a in summary.find_all("a")}
    assert links == {
        "#phone": "Indiquez votre numéro",
        "#answer-0": "Dites si vous souhaitez être rappelé",
    }
    # Every link of the summary lands on a field that says it is in error.
    for href in links:
        assert soup.find(id=href[1:])["aria-invalid"] == "true"
    # The missing CSRF token (refused earlier by CSRFProtect in real requests) is not listed.
    assert summary.find("h2").get_text() == "Le formulaire contient 2 erreurs"
    assert check_page(html, None, {"scripts": "no CSP header outside a response"}) == []


def test_flashed_messages_are_shown_as_alerts(layout_app):
    with layout_app.test_request_context():
        flash("Vos réponses sont enregistrées", "success")
        context = {}
        layout_app.update_template_context(context)
        html = layout_app.jinja_env.get_template("public/privacy.html").render(context)
    alert = BeautifulSoup(html, "html.parser").find(class_="fr-alert--success")
    assert alert.get_text(strip=True) == "Vos réponses sont enregistrées"


def test_header_and_footer(layout_app):
    with layout_app.test_request_context("/donnees-personnelles"):
        context = {}
        layout_app.update_template_context(context)
        soup = BeautifulSoup(
            layout_app.jinja_env.get_template("public/privacy.html").render(context), "html.parser"
        )
    languages = soup.select(".fr-translate a[hreflang]")
    assert [(a["lang"], a.get("aria-current")) for a in languages] == [("fr", "true"), ("en", None)]
    assert languages[1]["href"] == "/langue/en?next=/donnees-personnelles"
    footer = soup.find(id="footer").get_text(" ")
    assert "Accessibilité\u00a0: non conforme" in footer
    assert [a["href"] for a in soup.select(".fr-skiplinks a")] == ["#contenu", "#footer"]
    assert soup.find(class_="fr-header__operator") is None


def test_operator_is_shown_in_the_header(layout_app):
    class Collectivite:
        name = "Ville de Rennes"
        logo_path = "img/rennes.png"

    with layout_app.test_request_context("/"):
        from flask import g

        g.collectivite = Collectivite()
        context = {}
        layout_app.update_template_context(context)
        soup = BeautifulSoup(
            layout_app.jinja_env.get_template("public/home.html").render(context), "html.parser"
        )
    logo = soup.select_one(".fr-header__operator img")
    assert (logo["alt"], logo["src"]) == ("Ville de Rennes", "/static/img/rennes.png")


def test_the_page_client_really_checks_every_html_page():
    """The page-quality checks once went silently unused (the test client's responses all
    look streamed): a page with two h1 must make a test fail."""
    from flask import Flask

    from tests.conftest import PageClient

    bad = Flask("bad")

    @bad.get("/")
    def page():
        return "<html lang='fr'><title>A – B</title><h1>A</h1><h1>B</h1></html>"

    with pytest.raises(AssertionError, match="h1"):
        PageClient(bad.test_client()).get("/")
