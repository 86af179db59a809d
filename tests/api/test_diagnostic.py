"""POST /api/v1/diagnostic/evaluate and the OpenAPI document."""

from __future__ import annotations

import pytest

CONTEXT = {"commune_density_level": 6, "in_opah_pig": True, "zone_tendue": False,
           "acv_or_ort": False, "idf": False}  # fmt: skip
URL = "/api/v1/diagnostic/evaluate"


def test_an_empty_situation_asks_the_first_question(client):
    response = client.post(URL, json={"answers": {}, "context": CONTEXT})
    assert response.status_code == 200
    body = response.json
    assert body["next_question"]["id"] == "situation"
    assert {o["value"] for o in body["next_question"]["options"]} >= {"vacant", "sold"}
    assert all(r["status"] in {"undetermined", "not_applicable"} for r in body["recommendations"])


def test_a_sold_dwelling_is_asked_nothing_about_works(client):
    response = client.post(URL, json={"answers": {"situation": "sold"}, "context": CONTEXT})
    body = response.json
    assert body["next_question"] is None
    assert {"works_level", "energy_label"} <= set(body["not_asked"])
    assert not [r for r in body["recommendations"] if r["status"] == "applicable" and
                r["kind"] != "cost"]  # fmt: skip


def test_recommendations_carry_reasons_sources_and_english(client):
    answers = {"situation": "vacant", "vacancy_duration": "gt_2y", "owner_kind": "individual",
               "intention": "rent", "works_level": "heavy", "accepts_rent_cap": "yes",
               "energy_label": "F"}  # fmt: skip
    body = client.post(URL, json={"answers": answers, "context": CONTEXT, "locale": "en",
                                  "as_of": "2026-11-23"}).json  # fmt: skip
    prime = next(r for r in body["recommendations"] if r["slug"] == "prime-sortie-vacance")
    assert prime["status"] == "applicable"
    assert prime["amount"]["value"] == 5000
    assert prime["title"].startswith("Anah bonus")
    assert all(reason["met"] for reason in prime["reasons"])
    assert prime["sources"][0]["url"].startswith("https://")
    assert body["as_of"] == "2026-11-23"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"answers": {"situation": "vacant"}}, "context"),
        ({"answers": {}, "context": {"idf": False}}, "context.commune_density_level"),
        ({"answers": {"situaton": "vacant"}, "context": CONTEXT}, "answers.situaton"),
        ({"answers": {"situation": "empty"}, "context": CONTEXT}, "answers.situation"),
        ({"answers": {"situation": 3}, "context": CONTEXT}, "answers.situation"),
        ({"answers": {"blockers": "succession"}, "context": CONTEXT}, "answers.blockers"),
        (
            {"answers": {"blockers": ["succession", "nothing_in_particular"]}, "context": CONTEXT},
            "answers.blockers",
        ),
        ({"answers": {"blockers": ["succession", "x"]}, "context": CONTEXT}, "answers.blockers"),
        ({"answers": [], "context": CONTEXT}, "answers"),
        ({"context": {**CONTEXT, "idf": "no"}}, "context.idf"),
        ({"context": {**CONTEXT, "commune_density_level": 9}}, "context.commune_density_level"),
        ({"context": {**CONTEXT, "commune_density_level": True}}, "context.commune_density_level"),
        ({"context": {**CONTEXT, "planet": "mars"}}, "context.planet"),
        ({"context": CONTEXT, "as_of": "23/11/2026"}, "as_of"),
        # Python reads these ISO 8601 forms; the document says YYYY-MM-DD (issue 12).
        ({"context": CONTEXT, "as_of": "20261123"}, "as_of"),
        ({"context": CONTEXT, "as_of": "2026-W47-1"}, "as_of"),
        ({"context": CONTEXT, "as_of": 20261123}, "as_of"),
        ({"context": CONTEXT, "locale": "de"}, "locale"),
        ({"context": CONTEXT, "collectivite": "000000000"}, "collectivite"),
        ({"context": CONTEXT, "collectivite": 999999999}, "collectivite"),  # a string
        ({"context": CONTEXT, "extra": 1}, "extra"),
        ([1, 2], "body"),
        ("\u0000" * 10, "body"),
    ],
)
def test_bad_input_gets_a_422_naming_the_field(client, body, field):
    response = client.post(URL, json=body)
    assert response.status_code == 422
    assert field in response.json["errors"]


def test_a_body_that_is_not_json_gets_a_422(client):
    response = client.post(URL, data="answers=1", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 422
    assert "body" in response.json["errors"]


def test_the_api_needs_no_csrf_token_and_sets_no_cookie(client):
    response = client.post(URL, json={"context": CONTEXT})
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers


def test_openapi_describes_the_endpoint_with_the_content_enums(client):
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"].startswith("3.")
    assert "/diagnostic/evaluate" in document["paths"]
    situation = document["components"]["schemas"]["Situation"]
    assert "vacant" in situation["properties"]["answers"]["properties"]["situation"]["enum"]
    assert "idf" in situation["properties"]["context"]["required"]
    assert "living_area" not in situation["properties"]["context"]["required"]


def test_a_null_collectivite_or_optional_context_field_is_as_if_absent(client):
    """What the document says (issue 12): `collectivite` and the optional context fields
    may be null."""
    body = {"context": {**CONTEXT, "living_area": None}, "collectivite": None}
    assert client.post(URL, json=body).status_code == 200
    document = client.get("/api/v1/openapi.json").json
    situation = document["components"]["schemas"]["Situation"]["properties"]
    assert None in situation["collectivite"]["enum"]
    assert "null" in situation["context"]["properties"]["living_area"]["type"]


def test_an_empty_list_is_the_exclusive_option_where_there_is_one(client):
    answers = {"situation": "vacant", "vacancy_duration": "gt_2y", "owner_kind": "individual",
               "intention": "rent", "blockers": []}  # fmt: skip
    response = client.post(URL, json={"answers": answers, "context": CONTEXT})
    assert response.status_code == 200, response.json
    assert response.json["next_question"] is None or (
        response.json["next_question"]["id"] != "blockers"
    )
    other = {**answers, "blockers": ["succession", "nothing_in_particular"]}
    refused = client.post(URL, json={"answers": other, "context": CONTEXT})
    assert refused.status_code == 422
    assert "answers.blockers" in refused.get_data(as_text=True)
