"""The signed session cookie (Flask's own): never trusted beyond its terms."""

from __future__ import annotations

import time
from unittest import mock

from flask import request

from portal import create_app
from tests.builders import make_letter


def cookie_for(app, data: dict, signed_at: float | None = None) -> str:
    serializer = app.session_interface.get_signing_serializer(app)
    if signed_at is None:
        return serializer.dumps(data)
    with mock.patch("itsdangerous.timed.time.time", return_value=signed_at):
        return serializer.dumps(data)


def open_session(app, cookie: str):
    name = app.config["SESSION_COOKIE_NAME"]
    with app.test_request_context("/", headers={"Cookie": f"{name}={cookie}"}):
        return app.session_interface.open_session(app, request)


def test_a_signed_cookie_opens_its_session(app):
    assert dict(open_session(app, cookie_for(app, {"letter_id": 7}))) == {"letter_id": 7}


def test_a_tampered_cookie_opens_an_empty_session(app):
    cookie = cookie_for(app, {"letter_id": 7})
    payload, rest = cookie.split(".", 1)
    forged = cookie_for(app, {"letter_id": 8}).split(".", 1)[0] + "." + rest
    assert dict(open_session(app, forged)) == {}
    assert dict(open_session(app, payload)) == {}
    assert dict(open_session(app, cookie[:-2])) == {}


def test_a_cookie_signed_with_another_key_opens_an_empty_session(app):
    other = create_app("test", SECRET_KEY="another key, another deployment" * 2)
    assert dict(open_session(app, cookie_for(other, {"letter_id": 7}))) == {}


def test_an_expired_cookie_is_refused(app):
    lifetime = app.permanent_session_lifetime.total_seconds()
    old = cookie_for(app, {"letter_id": 7}, signed_at=time.time() - lifetime - 5)
    assert dict(open_session(app, old)) == {}


def test_a_cookie_from_the_future_is_refused(app):
    assert dict(open_session(app, cookie_for(app, {"a": 1}, signed_at=time.time() + 60))) == {}


def test_a_page_read_through_the_cookie_varies_on_it(client, session):
    _letter, token, _ = make_letter(session)
    session.commit()
    client.get(f"/l/{token}")
    response = client.get("/mon-logement")
    assert response.status_code == 200
    assert "Cookie" in response.headers["Vary"]
    assert "Set-Cookie" not in response.headers  # nothing changed: nothing written
