"""Opening a letter: the QR link, the typed code, and every way they can fail."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from portal.letters.codes import format_code, normalise_code
from portal.owner.service import open_by_code, open_by_token
from tests.builders import SECRET_KEY, make_campaign, make_collectivite, make_letter
from tests.conftest import csrf_token


@pytest.fixture
def letter(session):
    letter, token, code = make_letter(session)
    session.commit()
    return letter, token, code


def test_the_qr_link_opens_a_session_and_lands_on_a_clean_url(client, session, letter):
    letter, token, _ = letter
    response = client.get(f"/l/{token}")
    assert response.status_code == 303
    assert response.headers["Location"] == "/mon-logement"
    assert token not in response.headers["Location"]
    assert response.headers["Referrer-Policy"] == "no-referrer"
    page = client.get("/mon-logement")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert letter.housing.address_lines[0] in html
    assert letter.collectivite.name in html
    assert letter.owner.full_name not in html  # nothing beyond what the letter shows
    session.refresh(letter)
    assert letter.first_visit_at is not None


def test_the_first_visit_is_kept(client, session, letter):
    letter, token, _ = letter
    client.get(f"/l/{token}")
    session.refresh(letter)
    first = letter.first_visit_at
    client.get(f"/l/{token}")
    session.refresh(letter)
    assert letter.first_visit_at == first


def invalid_page(client, path):
    """Status and page body, without the per-response CSP nonce."""
    response = client.get(path)
    html = re.sub(r'nonce="[^"]+"', "", response.get_data(as_text=True))
    return response.status_code, html


def test_unknown_revoked_and_expired_links_look_the_same(client, session, letter):
    letter, token, _ = letter
    never = invalid_page(client, "/l/" + "x" * 22)
    assert never[0] == 404
    assert "/code" in never[1]

    letter.revoked_at, letter.revoked_reason = datetime.now(UTC), "npai"
    session.commit()
    assert invalid_page(client, f"/l/{token}") == never

    _expired_letter, expired_token, _ = make_letter(
        session,
        make_campaign(session, make_collectivite(session),
                      letters_expire_at=datetime.now(UTC) - timedelta(days=1)),
    )  # fmt: skip
    session.commit()
    assert invalid_page(client, f"/l/{expired_token}") == never


@pytest.mark.parametrize(
    "token", ["a", "x" * 65, "x" * 5000, "%00%00", "é" * 30, "../../etc/passwd", "' OR 1=1 --"]
)
def test_tampered_tokens_get_the_neutral_page(client, letter, token):
    response = client.get(f"/l/{token}")
    assert response.status_code == 404


def test_a_truncated_token_is_not_accepted(client, letter):
    _, token, _ = letter
    assert client.get(f"/l/{token[:-1]}").status_code == 404


def test_the_landing_without_a_letter_is_the_neutral_page(client):
    assert client.get("/mon-logement").status_code == 404


def post_code(client, typed):
    token = csrf_token(client, "/code")
    return client.post("/code", data={"code": typed, "csrf_token": token})


def test_the_typed_code_opens_the_same_landing(client, letter):
    letter, _, code = letter
    response = post_code(client, format_code(code).lower().replace("-", " "))
    assert response.status_code == 303
    assert response.headers["Location"] == "/mon-logement"
    assert letter.housing.address_lines[0] in client.get("/mon-logement").get_data(as_text=True)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Saisissez le code"),
        ("ABCD", "13 lettres et chiffres"),
        ("x" * 500, "13 lettres et chiffres"),
        ("<script>alert(1)</script>", "13 lettres et chiffres"),
    ],
)
def test_impossible_codes_get_a_clear_message(client, typed, message):
    response = post_code(client, typed)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html
    assert "<title>Erreur\u00a0: " in html
    assert "<script>alert(1)</script>" not in html


def test_a_typo_is_caught_by_the_check_character(client, letter):
    _, _, code = letter
    typo = ("1" if code[3] != "1" else "2").join([code[:3], code[4:]])
    response = post_code(client, typo)
    assert response.status_code == 400
    assert "Code mal saisi" in response.get_data(as_text=True)


def test_a_valid_but_unknown_code_says_so(client, letter):
    from portal.letters.codes import new_code

    response = post_code(client, new_code())
    assert response.status_code == 400
    assert "ne correspond à aucun courrier" in response.get_data(as_text=True)


def test_the_code_form_needs_its_csrf_token(client, letter):
    _, _, code = letter
    response = client.post("/code", data={"code": code})
    assert response.status_code == 400


def test_the_neutral_page_never_echoes_the_token(client, letter):
    _, token, _ = letter
    html = client.get(f"/l/{token[:-2]}zz").get_data(as_text=True)
    assert token[:-2] not in html


def test_guessing_links_is_limited_like_guessing_codes(client, letter):
    _, token, _ = letter
    for attempt in range(10):
        assert client.get(f"/l/{'x' * 21}{attempt}").status_code == 404
    blocked = client.get(f"/l/{token}")
    assert blocked.status_code == 429
    assert "Retry-After" in blocked.headers
    other = client.get(f"/l/{token}", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 303


def test_the_service_opens_a_letter_by_code_or_token_and_records_the_first_visit(session, letter):
    letter, token, code = letter
    assert open_by_code(session, normalise_code(code), "another key") is None
    assert open_by_token(session, token[:-1]) is None
    session.refresh(letter)
    assert letter.first_visit_at is None  # nothing opened, nothing recorded
    assert open_by_code(session, normalise_code(code), SECRET_KEY).id == letter.id
    session.refresh(letter)
    first = letter.first_visit_at
    assert first is not None
    assert open_by_token(session, token).id == letter.id
    session.refresh(letter)
    assert letter.first_visit_at == first
