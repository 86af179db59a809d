"""Public pages: home, accessibility statement, personal data, language switch."""

from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, session

from portal.public import blueprint
from portal.redirects import safe_next


@blueprint.get("/")
def home():
    return render_template("public/home.html")


@blueprint.get("/accessibilite")
def accessibility():
    return render_template("public/accessibility.html")


@blueprint.get("/donnees-personnelles")
def privacy():
    return render_template("public/privacy.html")


@blueprint.get("/langue/<code>")
def set_language(code: str):
    """Remember the chosen language and go back to the page the visitor was on."""
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    session["lang"] = code
    return redirect(safe_next(request.args.get("next")), code=303)
