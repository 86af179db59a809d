"""Forgotten password: ask for a link by e-mail, then choose a new password.

The link's token is exchanged at once for the browser's session and the page redirects
to a clean address (the GOV.UK Pay pattern), so the token stays out of the address bar,
the history and the access logs of the pages that follow.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from portal.backoffice import blueprint, reset
from portal.backoffice.auth_log import auth_event
from portal.backoffice.forms import ForgottenPasswordForm, NewPasswordForm
from portal.extensions import db

RESET_KEY = "password_reset_token"  # the link's token, inside Flask's session cookie


@blueprint.route("/mot-de-passe-oublie", methods=["GET", "POST"])
def forgotten_password():
    form = ForgottenPasswordForm()
    if form.validate_on_submit():
        reset.request_reset(db.session(), form.email.data)
        return redirect(url_for("backoffice.reset_link_sent"), code=303)
    status = 400 if form.errors else 200
    return render_template("backoffice/forgotten_password.html", form=form), status


@blueprint.get("/mot-de-passe-oublie/envoye")
def reset_link_sent():
    """The same confirmation whether the address is an agent's or not."""
    return render_template("backoffice/reset_link_sent.html")


@blueprint.route("/mot-de-passe/nouveau", methods=["GET", "POST"])
def reset_password():
    """The e-mailed link is this page with `?jeton=<token>`: the token goes into the
    session and the browser comes back here without it."""
    if request.method == "GET" and "jeton" in request.args:
        session[RESET_KEY] = request.args["jeton"][:500]
        return redirect(url_for("backoffice.reset_password"), code=303)
    token = session.get(RESET_KEY)
    database = db.session()
    agent = reset.agent_for_token(database, token) if isinstance(token, str) else None
    if agent is None:
        session.pop(RESET_KEY, None)
        if token:
            auth_event("reset-refused", reason="invalid-expired-or-used")
        return render_template("backoffice/reset_invalid.html"), 410
    form = NewPasswordForm()
    if form.validate_on_submit():
        reset.set_new_password(database, agent, form.password.data)
        session.pop(RESET_KEY, None)
        flash(
            _("Votre mot de passe est changé. Connectez-vous avec ce nouveau mot de passe."),
            "success",
        )
        return redirect(url_for("backoffice.login"), code=303)
    status = 400 if form.errors else 200
    return render_template("backoffice/reset_password.html", form=form, email=agent.email), status
