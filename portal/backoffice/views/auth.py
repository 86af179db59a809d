"""Signing in and out of the back-office."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from portal.backoffice import blueprint
from portal.backoffice.auth import current_agent
from portal.backoffice.forms import LoginForm, LogoutForm
from portal.backoffice.queries import agent_by_email
from portal.extensions import db
from portal.passwords import verify_password
from portal.public.views import safe_next


@blueprint.route("/connexion", methods=["GET", "POST"])
def login():
    if current_agent() is not None:
        return redirect(url_for("backoffice.home"), code=303)
    form = LoginForm()
    if form.validate_on_submit():
        agent = agent_by_email(db.session(), form.email.data)
        hash_ = agent.password_hash if agent is not None and agent.is_active else None
        if verify_password(hash_, form.password.data):
            agent.last_login_at = datetime.now(UTC)
            db.session.commit()
            session.clear()
            session["agent_id"] = agent.id
            return redirect(safe_next(request.args.get("next"), "backoffice.home"), code=303)
        # Same message whether the e-mail is unknown or the password wrong.
        form.password.errors.append(_("Adresse e-mail ou mot de passe incorrect"))
    status = 400 if form.errors else 200
    return render_template("backoffice/login.html", form=form), status


@blueprint.post("/deconnexion")
def logout():
    form = LogoutForm()
    if form.validate_on_submit():
        session.clear()
    return redirect(url_for("backoffice.login"), code=303)
