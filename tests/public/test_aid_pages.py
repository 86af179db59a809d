"""Public aid pages, generated from the content."""

from __future__ import annotations

import pytest

from portal.config import ROOT
from portal.rules import load_content

SLUGS = sorted(load_content(ROOT / "guidance_content").aids)


def test_the_index_lists_every_aid(client):
    html = client.get("/aides/").get_data(as_text=True)
    for slug in SLUGS:
        assert f'href="/aides/{slug}"' in html


@pytest.mark.parametrize("slug", SLUGS)
def test_each_aid_has_its_page(client, slug):
    response = client.get(f"/aides/{slug}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "À quelles conditions" in html
    assert "relevée le" in html
    assert "https://" in html


def test_an_aid_page_in_english(client):
    client.get("/langue/en?next=/")
    html = client.get("/aides/prime-sortie-vacance").get_data(as_text=True)
    assert "Anah bonus" in html
    assert "€5,000" in html


def test_an_unknown_aid_is_a_404(client):
    assert client.get("/aides/prime-imaginaire").status_code == 404
