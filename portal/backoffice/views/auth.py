"""Signing in (password, then the second factor) and out of the back-office."""

from __future__ import annotations

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from portal.backoffice import blueprint, sessions, signin
from portal.backoffice.auth import (
    current_agent,
    next_step_url,
    second_factor_done,
    session_required,
)
from portal.backoffice.forms import LoginForm, LogoutForm, TotpCodeForm
from portal.backoffice.signin import Outcome
from portal.ratelimit import refuse_blocked_login_attempt
from portal.redirects import safe_next


def demo_skips_second_factor() -> bool:
    config = current_app.config
    return config["PORTAL_ENV"] == "development" and not config["AGENT_TOTP_REQUIRED"]


@blueprint.route("/connexion", methods=["GET", "POST"])
def login():
    if current_agent() is not None:
        return redirect(url_for("backoffice.queue"), code=303)
    form = LoginForm()
    next_path = request.args.get("next")
    if request.method == "POST":
        refuse_blocked_login_attempt()  # 429 while this address fails too often
    if form.validate_on_submit():
        outcome = signin.sign_in(form.email.data, form.password.data)
        if outcome is not Outcome.REFUSED:
            return redirect(after_password(outcome, next_path), code=303)
        # Same message whether the e-mail is unknown, the password wrong or the address locked.
        form.password.errors.append(_("Adresse e-mail ou mot de passe incorrect"))
    status = 400 if form.errors else 200
    return render_template(
        "backoffice/login.html", form=form, demo_skips_second_factor=demo_skips_second_factor()
    ), status


def after_password(outcome: Outcome, next_path: str | None) -> str:
    if outcome is Outcome.NEEDS_CODE:
        return url_for("backoffice.login_code", next=next_path)
    if outcome is Outcome.NEEDS_ENROLMENT:
        return url_for("backoffice.totp_enrol", next=next_path)
    return safe_next(next_path, "backoffice.queue")


@blueprint.route("/connexion/code", methods=["GET", "POST"])
@session_required
def login_code():
    """The second step: the code of the agent's authenticator application."""
    record = sessions.current()
    next_path = request.args.get("next")
    if second_factor_done(record):
        return redirect(safe_next(next_path, "backoffice.queue"), code=303)
    if not record.agent.has_totp:
        return redirect(next_step_url(record, next_path), code=303)
    form = TotpCodeForm()
    if form.validate_on_submit():
        outcome = signin.check_code(record, form.code.data)
        if outcome is Outcome.SIGNED_IN:
            return redirect(safe_next(next_path, "backoffice.queue"), code=303)
        if outcome is Outcome.LOCKED:
            flash(
                _(
                    "Trop de codes erronés. Vous pourrez vous reconnecter dans %(minutes)s "
                    "minutes.",
                    minutes=current_app.config["AGENT_LOCKOUT_MINUTES"],
                ),
                "error",
            )
            return redirect(url_for("backoffice.login"), code=303)
        form.code.errors.append(
            _(
                "Ce code ne convient pas : saisissez le code affiché "
                "maintenant par votre application"
            )
        )
    status = 400 if form.errors else 200
    return render_template(
        "backoffice/login_code.html", form=form, logout_form=LogoutForm()
    ), status


@blueprint.post("/deconnexion")
def logout():
    form = LogoutForm()
    if form.validate_on_submit():
        sessions.end_current("logout")
        flash(_("Vous êtes déconnecté."), "success")
    return redirect(url_for("backoffice.login"), code=303)


@blueprint.app_context_processor
def signed_in_agent() -> dict:
    """The header's "Mon compte" and "Se déconnecter", on every page an agent sees."""
    agent = g.get("agent")
    if agent is None:
        return {"agent_account": None}
    return {
        "agent_account": {
            "label": agent.full_name or agent.email,
            "url": url_for("backoffice.account"),
            "logout_url": url_for("backoffice.logout"),
        }
    }
