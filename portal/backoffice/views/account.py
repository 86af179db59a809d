"""The agent's own account: open sessions, the second factor and its enrolment."""

from __future__ import annotations

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from portal import clock
from portal.backoffice import blueprint, lockout, sessions, totp
from portal.backoffice.auth import login_required, second_factor_done, session_required
from portal.backoffice.auth_log import auth_event
from portal.backoffice.forms import ActionForm, LogoutForm, TotpEnrolForm
from portal.extensions import db
from portal.passwords import verify_password
from portal.redirects import safe_next


@blueprint.get("/compte")
@login_required
def account():
    return render_template(
        "backoffice/account.html",
        live_sessions=sessions.live_sessions(db.session(), g.agent),
        current_session=sessions.current(),
        other_sessions_form=ActionForm(),
    )


@blueprint.post("/compte/autres-sessions")
@login_required
def end_other_sessions():
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    database = db.session()
    count = sessions.end_all(database, g.agent, "other-sessions", keep=sessions.current())
    database.commit()
    if count:
        flash(
            ngettext("%(num)d autre session fermée.", "%(num)d autres sessions fermées.", count),
            "success",
        )
    else:
        flash(_("Vous n’aviez pas d’autre session ouverte."), "info")
    return redirect(url_for("backoffice.account"), code=303)


def _may_enrol(record) -> bool:
    """Enrolling is for a signed-in agent, or for one who has no second factor yet: with a
    password alone nobody replaces an existing second factor."""
    return second_factor_done(record) or not record.agent.has_totp


@blueprint.route("/compte/double-authentification", methods=["GET", "POST"])
@session_required
def totp_enrol():
    record = sessions.current()
    agent = record.agent
    next_path = request.args.get("next")
    if not _may_enrol(record):
        return redirect(url_for("backoffice.login_code", next=next_path), code=303)
    database = db.session()
    if record.totp_pending_secret is None:
        record.totp_pending_secret = totp.new_secret()
        database.commit()
    form = TotpEnrolForm()
    replacing = agent.has_totp
    if form.validate_on_submit():
        if not verify_password(agent.password_hash, form.password.data):
            if lockout.record_failure(database, agent.email, agent.id):
                sessions.end_current("locked")
                return redirect(url_for("backoffice.login"), code=303)
            form.password.errors.append(_("Ce mot de passe ne convient pas"))
        elif not totp.confirm_enrolment(agent, record.totp_pending_secret, form.code.data):
            form.code.errors.append(
                _(
                    "Ce code ne convient pas : vérifiez que l’application "
                    "affiche bien « Portail propriétaires » et saisissez "
                    "le code du moment"
                )
            )
        else:
            record.totp_pending_secret = None
            record.mfa_passed_at = clock.now()
            database.commit()
            sessions.rotate(record)
            auth_event("totp-enrolled", agent=agent.id, session=record.id)
            if replacing:
                flash(
                    _(
                        "Votre nouvelle application d’authentification est enregistrée. "
                        "Si l’ancienne était sur un appareil perdu, fermez vos autres "
                        "sessions ci-dessous."
                    ),
                    "success",
                )
                return redirect(url_for("backoffice.account"), code=303)
            flash(
                _(
                    "La double authentification est activée. Le code vous sera demandé "
                    "à chaque connexion."
                ),
                "success",
            )
            return redirect(safe_next(next_path, "backoffice.home"), code=303)
    status = 400 if form.errors else 200
    return render_template(
        "backoffice/totp_enrol.html",
        form=form,
        secret=totp.grouped(record.totp_pending_secret),
        signed_in=second_factor_done(record),
        logout_form=LogoutForm(),
    ), status


@blueprint.get("/compte/double-authentification/qr-code.svg")
@session_required
def totp_qr_code():
    """The QR code of the secret being enrolled, for the <img> of the enrolment page."""
    record = sessions.current()
    if not _may_enrol(record) or record.totp_pending_secret is None:
        abort(404)
    uri = totp.provisioning_uri(record.totp_pending_secret, record.agent.email)
    return Response(totp.qr_svg(uri), mimetype="image/svg+xml")
