"""Routes printed on paper never disappear."""

from __future__ import annotations

# Printed on every letter (QR code target and the typed-code page): changing them would
# break letters already in owners' hands.
PRINTED_ROUTES = {"/l/<token>": "owner.letter_link", "/code": "owner.code"}


def test_routes_printed_on_letters_exist(app):
    rules = {rule.rule: rule.endpoint for rule in app.url_map.iter_rules()}
    for path, endpoint in PRINTED_ROUTES.items():
        assert rules.get(path) == endpoint, path


def test_every_back_office_route_lives_under_gestion(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("backoffice."):
            assert rule.rule.startswith("/gestion/"), rule.rule
