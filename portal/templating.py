"""What every template can use: the CSP nonce, the language list, the operator."""

from __future__ import annotations

from flask import Flask, g
from flask_babel import get_locale

from portal.i18n import LANGUAGE_NAMES
from portal.security import csp_nonce


def init_templating(app: Flask) -> None:
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def template_globals() -> dict:
        return {
            "csp_nonce": csp_nonce,
            "current_locale": str(get_locale() or app.config["BABEL_DEFAULT_LOCALE"]),
            "languages": LANGUAGE_NAMES,
            # The collectivité shown as operator in the header, when the page has one.
            "operator": g.get("collectivite"),
        }
