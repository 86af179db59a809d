"""The agent's own account: open sessions, the second factor and its enrolment."""

from __future__ import annotations

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from portal.backoffice import blueprint, sessions, signin, totp
from portal.backoffice.auth import login_required, second_factor_done, session_required
from portal.backoffice.forms import ActionForm, LogoutForm, TotpEnrolForm
from portal.backoffice.signin import Outcome
from portal.database import begin_write
from portal.extensions import db
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
    keep = sessions.current()
    begin_write(database)
    count = sessions.end_all(database, g.agent, "other-sessions", keep=keep)
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
    """The secret to enrol (derived for the session: the page writes nothing), then the
    password and a first code to confirm it."""
    record = sessions.current()
    next_path = request.args.get("next")
    if not _may_enrol(record):
        return redirect(url_for("backoffice.login_code", next=next_path), code=303)
    form = TotpEnrolForm()
    if form.validate_on_submit():
        outcome = signin.enrol(record, form.password.data, form.code.data)
        if outcome is Outcome.LOCKED:
            return redirect(url_for("backoffice.login"), code=303)
        if outcome is Outcome.REPLACED:
            flash(
                _(
                    "Votre nouvelle application d’authentification est enregistrée. "
                    "Si l’ancienne était sur un appareil perdu, fermez vos autres "
                    "sessions ci-dessous."
                ),
                "success",
            )
            return redirect(url_for("backoffice.account"), code=303)
        if outcome is Outcome.ENROLLED:
            flash(
                _(
                    "La double authentification est activée. Le code vous sera demandé "
                    "à chaque connexion."
                ),
                "success",
            )
            return redirect(safe_next(next_path, "backoffice.queue"), code=303)
        if outcome is Outcome.WRONG_PASSWORD:
            form.password.errors.append(_("Ce mot de passe ne convient pas"))
        else:
            form.code.errors.append(
                _(
                    "Ce code ne convient pas : vérifiez que l’application "
                    "affiche bien « Portail propriétaires » et saisissez "
                    "le code du moment"
                )
            )
    status = 400 if form.errors else 200
    return render_template(
        "backoffice/totp_enrol.html",
        form=form,
        secret=totp.grouped(totp.enrolment_secret(record)),
        signed_in=second_factor_done(record),
        logout_form=LogoutForm(),
    ), status


@blueprint.get("/compte/double-authentification/qr-code.svg")
@session_required
def totp_qr_code():
    """The QR code of the secret being enrolled, for the <img> of the enrolment page."""
    record = sessions.current()
    if not _may_enrol(record):
        abort(404)
    uri = totp.provisioning_uri(totp.enrolment_secret(record), record.agent.email)
    return Response(totp.qr_svg(uri), mimetype="image/svg+xml")
