"""Error pages: the DSFR layout, the right status, nothing technical."""

from __future__ import annotations

import pytest
from flask import abort

from portal import create_app
from tests.conftest import PageClient


@pytest.fixture
def failing_client(database_url):
    """An app with routes that fail in each way (registered before the first request)."""
    app = create_app("test", DATABASE_URL=database_url, PROPAGATE_EXCEPTIONS=False)

    @app.get("/_fail/<int:code>")
    def fail(code):
        abort(code)

    @app.get("/_crash")
    def crash():
        raise RuntimeError("secret internals: password=hunter2")

    return PageClient(app.test_client())


def test_unknown_url_gets_the_dsfr_404_page(client):
    response = client.get("/cette-page-n-existe-pas")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "fr-header" in html
    assert "404" in html


@pytest.mark.parametrize("code", [400, 403, 404, 410, 429])
def test_each_error_code_has_its_page(failing_client, code):
    response = failing_client.get(f"/_fail/{code}")
    assert response.status_code == code
    html = response.get_data(as_text=True)
    assert str(code) in html
    assert "fr-footer" in html


def test_other_client_errors_use_the_400_wording(failing_client):
    response = failing_client.get("/_fail/405")
    assert response.status_code == 405
    assert "fr-header" in response.get_data(as_text=True)


def test_an_unexpected_exception_gets_the_500_page_without_internals(failing_client):
    response = failing_client.get("/_crash")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "fr-header" in html
    assert "hunter2" not in html
    assert "Traceback" not in html
    assert "RuntimeError" not in html


def test_the_api_answers_errors_in_json(failing_client):
    response = failing_client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json["error"]["status"] == 404


def test_a_post_without_csrf_token_is_refused_with_a_page(client):
    response = client.post("/gestion/connexion", data={"email": "a@b.fr", "password": "x"})
    assert response.status_code == 400
    assert "fr-header" in response.get_data(as_text=True)
