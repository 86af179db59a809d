"""Signing in (password, then the second factor) and out of the back-office."""

from __future__ import annotations

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from portal import clock
from portal.backoffice import blueprint, lockout, sessions, totp
from portal.backoffice.auth import (
    current_agent,
    next_step_url,
    second_factor_done,
    session_required,
)
from portal.backoffice.auth_log import auth_event
from portal.backoffice.forms import LoginForm, LogoutForm, TotpCodeForm
from portal.backoffice.queries import agent_by_email
from portal.extensions import db
from portal.passwords import verify_password
from portal.ratelimit import record_failed_login_attempt, refuse_blocked_login_attempt
from portal.redirects import safe_next


def demo_skips_second_factor() -> bool:
    config = current_app.config
    return config["PORTAL_ENV"] == "development" and not config["AGENT_TOTP_REQUIRED"]


@blueprint.route("/connexion", methods=["GET", "POST"])
def login():
    if current_agent() is not None:
        return redirect(url_for("backoffice.home"), code=303)
    form = LoginForm()
    next_path = request.args.get("next")
    if request.method == "POST":
        refuse_blocked_login_attempt()  # 429 while this address fails too often
    if form.validate_on_submit():
        database = db.session()
        email = lockout.normalise_email(form.email.data)
        agent = agent_by_email(database, email)
        locked = lockout.is_locked(database, email)
        usable = agent is not None and agent.is_active and not locked
        # argon2 runs in every case (a dummy hash when there is no usable account), so an
        # unknown address, a locked one and a wrong password take the same time.
        right = verify_password(agent.password_hash if usable else None, form.password.data)
        agent_id = agent.id if agent is not None else None
        if right:
            lockout.clear(database, email)
            agent.last_login_at = clock.now()
            record = sessions.start(agent)  # commits
            auth_event("login-success", agent=agent.id, session=record.id)
            if not second_factor_done(record):
                return redirect(next_step_url(record, next_path), code=303)
            return redirect(safe_next(next_path, "backoffice.home"), code=303)
        if locked:
            lockout.record_refused(email, agent_id)
        else:
            lockout.record_failure(database, email, agent_id)
        record_failed_login_attempt()
        # Same message whether the e-mail is unknown, the password wrong or the address locked.
        form.password.errors.append(_("Adresse e-mail ou mot de passe incorrect"))
    status = 400 if form.errors else 200
    return render_template(
        "backoffice/login.html", form=form, demo_skips_second_factor=demo_skips_second_factor()
    ), status


@blueprint.route("/connexion/code", methods=["GET", "POST"])
@session_required
def login_code():
    """The second step: the code of the agent's authenticator application."""
    record = sessions.current()
    agent = record.agent
    next_path = request.args.get("next")
    if second_factor_done(record):
        return redirect(safe_next(next_path, "backoffice.home"), code=303)
    if not agent.has_totp:
        return redirect(next_step_url(record, next_path), code=303)
    form = TotpCodeForm()
    if form.validate_on_submit():
        database = db.session()
        if totp.check_agent_code(database, agent, form.code.data):
            record.mfa_passed_at = clock.now()
            database.commit()
            sessions.rotate(record)
            auth_event("mfa-success", agent=agent.id, session=record.id)
            return redirect(safe_next(next_path, "backoffice.home"), code=303)
        if lockout.record_failure(database, agent.email, agent.id):
            sessions.end_current("locked")
            flash(
                _(
                    "Trop de codes erronés. Vous pourrez vous reconnecter dans %(minutes)s "
                    "minutes.",
                    minutes=current_app.config["AGENT_LOCKOUT_MINUTES"],
                ),
                "error",
            )
            return redirect(url_for("backoffice.login"), code=303)
        auth_event("mfa-failure", agent=agent.id, session=record.id)
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
