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


def init_babel(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
