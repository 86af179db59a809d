"""Every template under templates/ compiles (a syntax error fails here, not on a page)."""

from __future__ import annotations

import pytest

from portal import create_app

APP = create_app("test")
TEMPLATES = sorted(APP.jinja_env.list_templates(extensions=["html", "txt", "xml"]))


def test_templates_are_found():
    assert "base.html" in TEMPLATES
    assert any(name.startswith("dsfr/") for name in TEMPLATES)


@pytest.mark.parametrize("name", TEMPLATES)
def test_template_parses(name):
    assert APP.jinja_env.get_template(name) is not None
