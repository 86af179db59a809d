"""The DSFR fields: each renders its macro, labelled, described, with its errors linked."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from wtforms.validators import InputRequired, Optional

from portal import create_app
from portal.forms import PortalForm, SelectChoice, fields


class OwnerForm(PortalForm):
    name = fields.StringField(
        "Nom",
        validators=[InputRequired("Indiquez votre nom")],
        description="Comme sur le courrier",
    )
    email = fields.EmailField("Adresse e-mail", validators=[Optional()])
    phone = fields.TelField("Téléphone", validators=[Optional()])
    password = fields.PasswordField("Mot de passe", validators=[Optional()])
    rooms = fields.IntegerField("Nombre de pièces", validators=[Optional()])
    surface = fields.DecimalField("Surface", validators=[Optional()])
    note = fields.TextAreaField("Précisions", validators=[Optional()])
    situation = fields.RadioField(
        "Le logement est-il occupé ?",
        choices=[
            SelectChoice("oui", "Oui", render_kw={"hint": "Par vous ou par un locataire"}),
            SelectChoice("non", "Non"),
        ],
        validators=[InputRequired("Indiquez si le logement est occupé")],
    )
    works = fields.MultiCheckboxField(
        "Travaux envisagés",
        choices=[SelectChoice("toiture", "Toiture"), SelectChoice("fenetres", "Fenêtres")],
    )
    kind = fields.SelectField(
        "Type de logement",
        choices=[SelectChoice("maison", "Maison"), SelectChoice("appartement", "Appartement")],
        validators=[Optional()],
    )
    callback = fields.BooleanField("Je souhaite être rappelé")


@pytest.fixture(scope="module")
def dsfr_app():
    """No database needed: the app only renders fields."""
    return create_app("test")


def render(dsfr_app, field_name, data=None, **kwargs):
    """The HTML of one field, after a POST of `data` (validated) or on a fresh GET."""
    method = "POST" if data is not None else "GET"
    with dsfr_app.test_request_context(method=method, data=data or {}):
        form = OwnerForm(meta={"csrf": False})
        if data is not None:
            form.validate()
        return BeautifulSoup(str(form[field_name](**kwargs)), "html.parser")


def test_text_input_is_labelled_and_points_at_its_messages(dsfr_app):
    html = render(dsfr_app, "name")
    field = html.find("input")
    label = html.find("label")
    assert label["for"] == field["id"] == "name"
    assert field["name"] == "name"
    assert field["aria-describedby"] == "name-messages"
    assert html.find(id="name-messages")["class"] == ["fr-messages-group"]
    # DSFR: the hint sits inside the label, so it is part of the field's accessible name.
    assert label.find(class_="fr-hint-text").get_text() == "Comme sur le courrier"
    assert "aria-invalid" not in field.attrs


def test_page_heading_label_is_the_h1_and_the_hint_is_linked(dsfr_app):
    html = render(dsfr_app, "name", page_heading=True)
    assert html.find("h1").find("label")["for"] == "name"
    assert html.find("input")["aria-describedby"] == "name-hint name-messages"
    assert html.find(id="name-hint").get_text() == "Comme sur le courrier"


def test_field_in_error_is_invalid_and_shows_its_message(dsfr_app):
    html = render(dsfr_app, "name", data={"name": ""})
    field = html.find("input")
    assert field["aria-invalid"] == "true"
    assert "fr-input-group--error" in html.find("div")["class"]
    message = html.find(id="name-messages").find("p")
    assert message["class"] == ["fr-message", "fr-message--error"]
    assert message.get_text() == "Erreur\u00a0: Indiquez votre nom"
    assert html.find(class_="fr-error-text") is None


def test_input_types_and_autocomplete(dsfr_app):
    assert render(dsfr_app, "email").find("input")["type"] == "email"
    assert render(dsfr_app, "email").find("input")["autocomplete"] == "email"
    assert render(dsfr_app, "phone").find("input")["autocomplete"] == "tel"
    rooms = render(dsfr_app, "rooms").find("input")
    assert (rooms["type"], rooms["inputmode"]) == ("text", "numeric")
    assert (
        render(dsfr_app, "phone", autocomplete="off", maxlength=20).find("input")["maxlength"]
        == "20"
    )
    assert render(dsfr_app, "phone", autocomplete="off").find("input")["autocomplete"] == "off"


def test_password_is_never_sent_back(dsfr_app):
    html = render(dsfr_app, "password", data={"password": "s3cret", "name": ""})
    field = html.find("input", attrs={"name": "password"})
    assert field["type"] == "password"
    assert "value" not in field.attrs
    assert field["autocomplete"] == "current-password"


def test_numbers_accept_spaces_and_commas_and_keep_a_wrong_answer(dsfr_app):
    with dsfr_app.test_request_context(method="POST", data={"rooms": "1 200", "surface": "12,5"}):
        form = OwnerForm(meta={"csrf": False})
        form.validate()
        assert form.rooms.data == 1200
        assert str(form.surface.data) == "12.5"
    html = render(dsfr_app, "rooms", data={"rooms": "trois"})
    assert html.find("input")["value"] == "trois"
    assert "nombre entier" in html.find(id="rooms-messages").get_text()


def test_textarea_keeps_its_value(dsfr_app):
    html = render(dsfr_app, "note", data={"note": "Toit à refaire"})
    assert html.find("textarea").get_text().strip() == "Toit à refaire"
    assert html.find("label")["for"] == "note"


def test_radios_are_a_fieldset_with_a_legend(dsfr_app):
    html = render(dsfr_app, "situation")
    fieldset = html.find("fieldset")
    legend = fieldset.find("legend")
    assert "Le logement est-il occupé" in legend.get_text()
    assert fieldset["aria-labelledby"] == f"{legend['id']} situation-messages"
    radios = fieldset.find_all("input", type="radio")
    assert [r["id"] for r in radios] == ["situation-0", "situation-1"]
    assert {r["name"] for r in radios} == {"situation"}
    for radio in radios:
        assert html.find("label", attrs={"for": radio["id"]}) is not None
    assert "Par vous ou par un locataire" in html.find("label", attrs={"for": "situation-0"}).text


def test_radio_error_and_its_summary_anchor(dsfr_app):
    html = render(dsfr_app, "situation", data={"name": "x"})
    assert "fr-fieldset--error" in html.find("fieldset")["class"]
    assert (
        html.find(id="situation-messages")
        .get_text(strip=True)
        .endswith("Indiquez si le logement est occupé")
    )
    with dsfr_app.test_request_context():
        assert OwnerForm(meta={"csrf": False}).situation.error_anchor == "situation-0"


def test_choices_stay_checked_after_a_post_with_errors(dsfr_app):
    data = {"name": "", "situation": "non", "works": ["fenetres"], "kind": "appartement"}
    data["callback"] = "y"
    with dsfr_app.test_request_context(method="POST", data=data):
        form = OwnerForm(meta={"csrf": False})
        assert not form.validate()
        radios = BeautifulSoup(str(form.situation()), "html.parser")
        boxes = BeautifulSoup(str(form.works()), "html.parser")
        select = BeautifulSoup(str(form.kind()), "html.parser")
        single = BeautifulSoup(str(form.callback()), "html.parser")
    assert radios.find("input", value="non").has_attr("checked")
    assert not radios.find("input", value="oui").has_attr("checked")
    assert boxes.find("input", value="fenetres").has_attr("checked")
    assert not boxes.find("input", value="toiture").has_attr("checked")
    assert select.find("option", value="appartement").has_attr("selected")
    assert not select.find("option", value="").has_attr("selected")
    assert single.find("input", type="checkbox").has_attr("checked")


def test_checkboxes_are_a_fieldset_and_select_has_a_placeholder(dsfr_app):
    boxes = render(dsfr_app, "works")
    assert boxes.find("fieldset").find("legend") is not None
    assert [b["id"] for b in boxes.find_all("input")] == ["works-0", "works-1"]
    select = render(dsfr_app, "kind")
    placeholder = select.find("option")
    assert placeholder["value"] == ""
    assert placeholder.has_attr("selected") and placeholder.has_attr("disabled")
    assert select.find("label")["for"] == select.find("select")["id"] == "kind"


def test_nothing_chosen_gives_only_the_required_message(dsfr_app):
    class Required(PortalForm):
        kind = fields.SelectField(
            "Type", choices=[SelectChoice("m", "Maison")], validators=[InputRequired("Choisissez")]
        )

    with dsfr_app.test_request_context(method="POST", data={}):
        form = Required(meta={"csrf": False})
        assert not form.validate()
        assert form.kind.errors == ["Choisissez"]


def test_single_checkbox_has_its_messages_group(dsfr_app):
    html = render(dsfr_app, "callback")
    box = html.find("input")
    assert box["type"] == "checkbox" and box["value"] == "y"
    assert box["aria-describedby"] == "callback-messages"
    assert html.find("label")["for"] == "callback"


def test_labels_hints_and_values_are_escaped(dsfr_app):
    evil = '<script>alert("x")</script>'
    html = str(render(dsfr_app, "name", data={"name": evil}, hint=evil, label=evil))
    assert "<script>" not in html
    assert "&lt;script&gt;" in html

    class Choices(PortalForm):
        pick = fields.RadioField(evil, choices=[SelectChoice(evil, evil)])

    with dsfr_app.test_request_context():
        html = str(Choices(meta={"csrf": False}).pick())
    assert "<script>" not in html


def test_hidden_tag_renders_the_csrf_token_without_an_id(dsfr_app):
    with dsfr_app.test_request_context():
        html = BeautifulSoup(str(OwnerForm().hidden_tag()), "html.parser")
    token = html.find("input", attrs={"name": "csrf_token"})
    assert token["type"] == "hidden" and token["value"]
    assert "id" not in token.attrs
