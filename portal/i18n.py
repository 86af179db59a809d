"""Languages: French by default, English complete; the visitor's choice kept in the session."""

from __future__ import annotations

from flask import Flask, current_app, session

from portal.extensions import babel

LANGUAGE_NAMES = {"fr": "Français", "en": "English"}


def select_locale() -> str:
    chosen = session.get("lang")
    if chosen in current_app.config["LANGUAGES"]:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def current_language() -> str:
    """The page's language code ("fr" or "en")."""
    from flask_babel import get_locale

    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def init_babel(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
