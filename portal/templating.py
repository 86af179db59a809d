"""What every template can use: the CSP nonce, the language list, the operator."""

from __future__ import annotations

import weakref

from flask import Flask, g, request, url_for
from flask_babel import get_translations
from jinja2 import pass_context
from markupsafe import Markup

from portal.i18n import LANGUAGE_NAMES, current_language
from portal.security import csp_nonce

# Pages whose URL carries a secret (the letter token): never echoed into links.
SECRET_URL_ENDPOINTS = {"owner.letter_link"}


def language_return_path() -> str:
    """Where the language switch brings the visitor back: this page, unless its URL
    carries a letter token (then the typed-code page, which is neutral)."""
    if request.endpoint in SECRET_URL_ENDPOINTS:
        return url_for("owner.code")
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


def _translations():
    """This request's catalog, looked up once (Flask-Babel looks it up on every call)."""
    translations = g.get("_translations")
    if translations is None:
        translations = g._translations = get_translations()
    return translations


# Each catalog's translated messages, as templates use them (a page calls `_` dozens of times).
_TRANSLATED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
MAX_TRANSLATED = 10_000


@pass_context
def gettext(context, message: str, **variables) -> str:
    """Jinja's "newstyle" gettext, as `_` and `gettext` in templates: the translated message
    is always a format string (`%%` is a percent sign), escaped in autoescaping templates.

    Jinja's own goes through two generic calls and a Markup formatting on every use; this
    keeps each catalog's translated messages, ready to use when there is nothing to format."""
    translations = _translations()
    known = _TRANSLATED.get(translations)
    if known is None:
        known = _TRANSLATED.setdefault(translations, {})
    escaped = context.eval_ctx.autoescape
    translated = known.get((message, escaped))
    if translated is None:
        if len(known) > MAX_TRANSLATED:  # templates translate literals; never grow unbounded
            known.clear()
        text = translations.ugettext(message)
        # Our own catalog, trusted as Jinja's gettext trusts it; the variables are escaped.
        translated = known[(message, escaped)] = Markup(text) if escaped else text  # noqa: S704
    if variables:
        return translated % variables
    formatted = known.get((message, escaped, None))
    if formatted is None:
        formatted = known[(message, escaped, None)] = translated % {}
    return formatted


def init_templating(app: Flask) -> None:
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    # Templates translate through the request's catalog, found once per request: ngettext
    # as Jinja wraps it; gettext and `_` replaced by ours (above) just after.
    app.jinja_env.install_gettext_callables(
        lambda message: _translations().ugettext(message),
        lambda singular, plural, n: _translations().ungettext(singular, plural, n),
        newstyle=True,
    )
    app.jinja_env.globals.update({"gettext": gettext, "_": gettext})
    # Globals, unlike context variables, are visible inside imported macros too.
    app.jinja_env.globals["language_return_path"] = language_return_path
    app.jinja_env.globals["logo_url"] = logo_url

    @app.context_processor
    def template_globals() -> dict:
        return {
            "csp_nonce": csp_nonce,
            "current_locale": current_language(),
            "languages": LANGUAGE_NAMES,
            # The collectivité shown as operator in the header, when the page has one.
            "operator": g.get("collectivite"),
        }
