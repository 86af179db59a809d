"""Input bounds at the edge: nothing a stranger can send gives a 500 (issue 12).

Ids beyond the database's integer range, NUL and other control characters, selects given
a value not among their choices, and hostile JSON bodies: each is a 4xx, on SQLite and on
PostgreSQL (which rejects NUL in text and integers beyond its column types).
"""

from __future__ import annotations

import re

import pytest

from portal.forms import (
    MultiCheckboxField,
    PortalForm,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from tests.backoffice.answers_support import signed_in_agent
from tests.conftest import csrf_token

TOO_BIG = 2**31  # one beyond PostgreSQL's `integer`


# --- 1. Ids beyond the integer range -----------------------------------------------------


def test_a_logo_id_beyond_the_integer_range_is_not_found(client):
    assert client.get(f"/logos/{TOO_BIG}/x").status_code == 404
    assert client.get(f"/logos/{2**64}/x").status_code == 404


def test_every_integer_route_parameter_is_bounded(app, client, session):
    """Walk the URL map: every `<int:…>` parameter given 2**31 answers 404 (or 405 for a
    GET on a POST-only route), signed in, never a 500."""
    signed_in_agent(client, session)
    checked = 0
    for rule in app.url_map.iter_rules():
        integers = {name for name, conv in rule._converters.items() if conv.regex == r"\d+"}
        if not integers:
            continue
        values = {}
        for name, converter in rule._converters.items():
            if name in integers:
                values[name] = 1
            elif hasattr(converter, "items"):  # any(…)
                values[name] = sorted(converter.items)[0]
            else:
                values[name] = "x"
        for name in integers:
            converter = rule._converters[name]
            assert converter.max is not None and converter.max <= 2**31 - 1, rule.rule
            path = rule.rule
            for key, value in {**values, name: TOO_BIG}.items():
                path = re.sub(rf"<[^>]*:?{key}>", str(value), path)
            method = "GET" if "GET" in rule.methods else "POST"
            response = client.open(path, method=method)
            assert response.status_code == 404, (path, response.status_code)
            checked += 1
    assert checked > 20


def test_a_queue_cursor_beyond_the_integer_range_is_ignored(client, session):
    signed_in_agent(client, session, role="admin")
    for cursor in ("1.9223372036854775808", f"1.{TOO_BIG}", f"{2**70}.1", "-1.-1"):
        response = client.get("/gestion/reponses", query_string={"apres": cursor})
        assert response.status_code == 200, cursor
    for cursor in (f"1.{2**63}", f"1.{2**31}"):  # the access log's ids are `bigint`
        response = client.get("/gestion/audit", query_string={"apres": cursor})
        assert response.status_code == 200, cursor


def test_a_ticked_id_beyond_the_integer_range_is_refused(client, session):
    signed_in_agent(client, session)
    token = csrf_token(client, "/gestion/reponses")
    response = client.post("/gestion/reponses/selection/export.csv", data={
        "csrf_token": token, "reponse": str(TOO_BIG)},
        checks_off={"title": "an empty queue has no checkbox to mark invalid"})  # fmt: skip
    assert response.status_code == 400


# --- 2. NUL and control characters -------------------------------------------------------


def test_a_nul_byte_in_the_sign_in_email_is_a_form_error(client):
    token = csrf_token(client, "/gestion/connexion")
    response = client.post("/gestion/connexion", data={
        "csrf_token": token, "email": "a\x00@b.fr", "password": "x" * 12})  # fmt: skip
    assert response.status_code in (200, 400)
    assert "caractères non autorisés" in response.get_data(as_text=True)


def test_a_nul_byte_in_a_list_filter_is_shown_and_ignored(client, session):
    """As for any bad filter: a 400 naming the field, the list shown unfiltered by it."""
    signed_in_agent(client, session)
    for path, name in (("/gestion/reponses", "q"), ("/gestion/logements", "commune")):
        response = client.get(path, query_string={name: "a\x00b"})
        assert response.status_code == 400, path
        assert "caractères non autorisés" in response.get_data(as_text=True)


class TextForm(PortalForm):
    class Meta:
        csrf = False

    name = StringField("Nom")
    comment = TextAreaField("Commentaire")


# C0, DEL, C1 (NEL), the bidirectional overrides and isolates that make text display in
# another order than it reads (an agent would see a note or a name reversed), a lone surrogate.
@pytest.mark.parametrize(
    "bad",
    [
        "a\x00b",
        "a\x1bb",
        "a\x7fb",
        "a\tb",
        "a\nb",
        "a\x85b",
        "a\u202eb",
        "a\u202ab",
        "a\u2066b",
        "a\u2069b",
        "a\ud800b",
    ],
)
def test_a_one_line_field_refuses_control_characters(app, bad):
    from werkzeug.datastructures import MultiDict

    with app.test_request_context():
        form = TextForm(formdata=MultiDict({"name": bad}))
        assert not form.validate()
        assert "caractères non autorisés" in str(form.name.errors[0])


def test_a_multi_line_field_keeps_tabs_and_new_lines_but_refuses_nul(app):
    from werkzeug.datastructures import MultiDict

    with app.test_request_context():
        form = TextForm(formdata=MultiDict({"comment": "a\tb\r\nc"}))
        assert form.validate(), form.errors
        for bad in ("a\x00b", "a\u202eb"):
            form = TextForm(formdata=MultiDict({"comment": bad}))
            assert not form.validate()
            assert form.comment.errors


@pytest.mark.parametrize(
    "good",
    [
        "Zoé O’Brien-Œuvray",
        "محمد العربي",
        "שרה לוי",
        "12\u00a0rue de l’Église\u202f: ½ étage",
        "a\u200fb\u200eb",
        "👩\u200d👧 famille",
    ],
)
def test_letters_of_every_script_and_french_spaces_are_accepted(app, good):
    from werkzeug.datastructures import MultiDict

    with app.test_request_context():
        form = TextForm(formdata=MultiDict({"name": good, "comment": good}))
        assert form.validate(), form.errors


# --- 3. Selects given a value not among their choices ------------------------------------


class ChoiceForm(PortalForm):
    class Meta:
        csrf = False

    from wtforms.validators import Optional

    kind = SelectField("Type", validators=[Optional()],
                       choices=[SelectChoice("a", "A"), SelectChoice("b", "B")])  # fmt: skip
    side = RadioField("Côté", validators=[Optional()],
                      choices=[SelectChoice("g", "G"), SelectChoice("d", "D")])  # fmt: skip
    many = MultiCheckboxField("Plusieurs", validators=[Optional()],
                              choices=[SelectChoice("x", "X"), SelectChoice("y", "Y")])  # fmt: skip


@pytest.mark.parametrize("field", ["kind", "side", "many"])
@pytest.mark.parametrize("value", [" ", "  ", "\u00a0", "zz"])
def test_an_optional_choice_refuses_a_value_not_among_its_choices(app, field, value):
    from werkzeug.datastructures import MultiDict

    with app.test_request_context():
        form = ChoiceForm(formdata=MultiDict({field: value}))
        assert not form.validate()
        assert form[field].errors == ["Choisissez une des réponses proposées"]


def test_an_optional_choice_left_empty_is_fine(app):
    from werkzeug.datastructures import MultiDict

    with app.test_request_context():
        form = ChoiceForm(formdata=MultiDict({"kind": "", "side": ""}))
        assert form.validate(), form.errors


def test_a_queue_filter_of_spaces_is_shown_and_ignored(client, session):
    signed_in_agent(client, session)
    for name in ("campaign", "commune", "aid", "situation", "callback"):
        response = client.get("/gestion/reponses", query_string={name: " "})
        assert response.status_code == 400, name
        assert "Choisissez une des réponses proposées" in response.get_data(as_text=True)


# --- 4. The JSON API ---------------------------------------------------------------------

URL = "/api/v1/diagnostic/evaluate"
CONTEXT = {"commune_density_level": 6, "in_opah_pig": True, "zone_tendue": False,
           "acv_or_ort": False, "idf": False}  # fmt: skip


def test_deeply_nested_json_is_a_client_error(client):
    body = "[" * 100_000 + "]" * 100_000
    response = client.post(URL, data=body, content_type="application/json")
    assert response.status_code in (400, 422)
    assert response.is_json


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "-1e308", "1e400"])
def test_a_non_finite_or_absurd_living_area_is_refused(client, value):
    context = ", ".join(f'"{k}": {str(v).lower()}' for k, v in CONTEXT.items())
    body = f'{{"answers": {{}}, "context": {{{context}, "living_area": {value}}}}}'
    response = client.post(URL, data=body, content_type="application/json")
    assert response.status_code == 422, response.get_data(as_text=True)
    assert "context.living_area" in response.json["errors"]


def test_every_405_says_which_methods_are_allowed(client):
    for path, method in [(URL, "GET"), ("/api/v1/", "POST"), ("/gestion/connexion", "PUT"),
                         ("/", "TRACE"), ("/gestion/agents/1/desactiver", "GET")]:  # fmt: skip
        response = client.open(path, method=method)
        assert response.status_code == 405, (path, method)
        assert response.headers.get("Allow"), (path, method)


def test_an_answers_precisions_or_note_kind_of_spaces_is_refused(app, client, session):
    from sqlalchemy import select

    from portal.models import Note, Response
    from tests.backoffice.answers_support import answered_letter
    from tests.builders import make_collectivite

    town = make_collectivite(session)
    session.commit()
    letter = answered_letter(app, session, town)
    signed_in_agent(client, session, town)
    response = session.scalar(select(Response).where(Response.letter_id == letter.id))
    page = f"/gestion/reponses/{response.id}"
    token = csrf_token(client, page)
    for action, data in (("/precisions", {"precisions": " "}),
                         ("/notes", {"content": "Appelé", "kind": " "}),
                         ("/notes", {"content": "a\x00b"})):  # fmt: skip
        answer = client.post(page + action, data={"csrf_token": token, **data})
        assert answer.status_code == 400, (action, data)
    session.rollback()
    assert session.scalar(select(Note)) is None


@pytest.mark.parametrize(
    "path",
    ["/?next=/%00", "/langue/en?next=/%00", "/gestion/connexion?next=/%00",
     "/gestion/mot-de-passe/nouveau?jeton=%00", "/gestion/reponses?apres=%00.%00",
     "/gestion/campagnes/1?page=%00", "/gestion/logements?page=%00", "/aides/%00",
     "/diagnostic/%00", "/sortie/%00", "/l/%00"],
)  # fmt: skip
def test_a_nul_byte_anywhere_in_the_query_string_is_never_a_500(client, session, path):
    signed_in_agent(client, session)
    response = client.get(path, checks_off={"title": "any page, error or not"})
    assert response.status_code < 500, path
