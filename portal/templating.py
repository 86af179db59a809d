"""What every template can use: the CSP nonce, the language list, the operator."""

from __future__ import annotations

from flask import Flask, g, request, url_for
from flask_babel import format_decimal, format_percent, gettext
from sqlalchemy.exc import SQLAlchemyError

from portal.dates import long_date, long_datetime, short_datetime, time_of_day, zone_for
from portal.i18n import LANGUAGE_NAMES, current_language
from portal.phones import written_phone
from portal.security import csp_nonce

# Pages whose URL carries a secret (the letter token): never echoed into links.
SECRET_URL_ENDPOINTS = {"owner.letter_link"}
# Pages that ignore their query string (the cached landing): the switch returns to the path.
QUERYLESS_ENDPOINTS = {"owner.landing"}


def language_return_path() -> str:
    """Where the language switch brings the visitor back: this page, unless its URL
    carries a letter token (then the typed-code page, which is neutral)."""
    if request.endpoint in SECRET_URL_ENDPOINTS:
        return url_for("owner.code")
    if request.endpoint in QUERYLESS_ENDPOINTS:
        return request.path
    return request.full_path.rstrip("?")


def logo_url(operator) -> str | None:
    """The address of a collectivité's logo: a file under static/, or the logo its admins
    uploaded ("db:<version>", served by public.logo)."""
    path = getattr(operator, "logo_path", None)
    if not path:
        return None
    if path.startswith("db:"):
        return url_for("public.logo", collectivite_id=operator.id, version=path[3:])
    return url_for("static", filename=path)


def file_size(size: int) -> str:
    """ "48 ko", "29,1 Mo": a file's size as French downloads show it (1 ko = 1,024 bytes)."""
    if size >= 1024 * 1024:
        return gettext("%(size)s Mo", size=format_decimal(size / (1024 * 1024), "#,##0.#"))
    return gettext("%(size)s ko", size=format_decimal(size / 1024, "#,##0.#"))


def current_zone() -> str:
    """The time zone of the page's collectivité (the operator's), else Paris's."""
    collectivite = g.get("collectivite")
    try:
        return zone_for(collectivite.perimeter if collectivite is not None else None)
    except SQLAlchemyError:  # an error page after a failed transaction: Paris's time
        return zone_for(None)


def _in_zone(formatter):
    def formatted(moment):
        return "" if moment is None else formatter(moment, current_language(), current_zone())

    return formatted


# For Python code that writes dates into pages or files (the templates' filters of the
# same names).
longdate, longdatetime = _in_zone(long_date), _in_zone(long_datetime)


def init_templating(app: Flask) -> None:
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    # `_`, `gettext` and `ngettext` come from Flask-Babel (Jinja's newstyle gettext).
    # Globals, unlike context variables, are visible inside imported macros too.
    app.jinja_env.globals["language_return_path"] = language_return_path
    app.jinja_env.globals["logo_url"] = logo_url
    # "12 345" and "12,5 %" in the agent's language (Babel's no-break spaces included).
    app.jinja_env.filters["numberformat"] = format_decimal
    app.jinja_env.filters["filesize"] = file_size
    # « 1er décembre 2026 » (Babel's long French date says « 1 décembre »), « 1er décembre
    # 2026 à 22 h 40 », « 1er déc. 2026, 22 h 40 », in the collectivité's time zone.
    formatters = {"longdate": long_date, "longdatetime": long_datetime,
                  "shortdatetime": short_datetime, "timeofday": time_of_day}  # fmt: skip
    for name, formatter in formatters.items():
        app.jinja_env.filters[name] = _in_zone(formatter)
    # A stored phone number for a reader: « 06 12 34 56 78 » (portal.phones).
    app.jinja_env.filters["phone"] = written_phone
    app.jinja_env.filters["percentformat"] = lambda ratio: format_percent(ratio, "#,##0.# %")

    @app.context_processor
    def template_globals() -> dict:
        return {
            "csp_nonce": csp_nonce,
            "current_locale": current_language(),
            "languages": LANGUAGE_NAMES,
            # The collectivité shown as operator in the header, when the page has one.
            "operator": g.get("collectivite"),
        }
