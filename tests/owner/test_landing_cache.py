"""The landing served from the page cache: never stale, never another owner's page."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from flask import template_rendered

from portal.models import Response
from tests.builders import make_letter


@pytest.fixture
def renders(app):
    """The names of the templates rendered while the test runs."""
    names: list[str] = []

    def record(_sender, template, context, **_extra):
        names.append(template.name)

    template_rendered.connect(record, app)
    yield names
    template_rendered.disconnect(record, app)


@pytest.fixture
def opened(client, session):
    letter, token, _ = make_letter(session)
    session.commit()
    assert client.get(f"/l/{token}").status_code == 303
    return letter


def nonces(response) -> tuple[set[str], str]:
    html = response.get_data(as_text=True)
    header = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"])
    return set(re.findall(r'nonce="([^"]+)"', html)), header.group(1)


def test_the_landing_is_rendered_once_then_served_from_the_cache(client, opened, renders):
    first = client.get("/mon-logement")
    second = client.get("/mon-logement")
    assert first.status_code == second.status_code == 200
    assert renders.count("owner/landing.html") == 1
    assert opened.housing.address_lines[0] in second.get_data(as_text=True)


def test_each_cached_page_carries_its_own_request_nonce(client, opened):
    pages = [nonces(client.get("/mon-logement")) for _ in range(3)]
    for in_page, in_header in pages:
        assert in_page == {in_header}  # every script's nonce is the CSP header's
    assert len({header for _, header in pages}) == 3  # a new one per request


def test_an_answer_changes_the_landing_at_once(client, session, opened, renders):
    assert "Commencer" in client.get("/mon-logement").get_data(as_text=True)
    session.add(Response(collectivite_id=opened.collectivite_id, letter_id=opened.id,
                         answers={"situation": "vacant"}))  # fmt: skip
    session.commit()
    html = client.get("/mon-logement").get_data(as_text=True)
    assert "Reprendre où j’en étais" in html
    assert renders.count("owner/landing.html") == 2


def test_a_collectivite_change_is_shown_at_once(client, session, opened):
    client.get("/mon-logement")
    opened.collectivite.name = "Communauté de communes renommée"
    session.commit()
    assert "Communauté de communes renommée" in client.get("/mon-logement").get_data(as_text=True)


def test_a_revoked_letter_stops_at_once_even_when_cached(client, session, opened):
    assert client.get("/mon-logement").status_code == 200
    opened.revoked_at, opened.revoked_reason = datetime.now(UTC), "npai"
    session.commit()
    response = client.get("/mon-logement")
    assert response.status_code == 404
    assert opened.housing.address_lines[0] not in response.get_data(as_text=True)


def test_an_expired_campaign_stops_the_cached_landing(client, session, opened):
    assert client.get("/mon-logement").status_code == 200
    opened.campaign.letters_expire_at = datetime.now(UTC) - timedelta(minutes=1)
    session.commit()
    assert client.get("/mon-logement").status_code == 404


def test_two_owners_never_get_each_others_page(app, session):
    first, first_token, _ = make_letter(session)
    second, second_token, _ = make_letter(session)
    session.commit()
    for letter, token, other in ((first, first_token, second), (second, second_token, first)):
        client = app.test_client()
        client.get(f"/l/{token}")
        for _ in range(2):
            html = client.get("/mon-logement").get_data(as_text=True)
            assert letter.housing.address_lines[0] in html
            assert other.housing.address_lines[0] not in html


def test_the_language_is_part_of_the_key(client, opened):
    assert "Votre logement" in client.get("/mon-logement").get_data(as_text=True)
    client.get("/langue/en?next=/mon-logement")
    assert "Your property" in client.get("/mon-logement").get_data(as_text=True)
