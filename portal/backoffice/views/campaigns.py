"""A campaign's page: its figures (ZLV's return rule), send date, letters, the letters PDF
and recipients CSV (made by a background job), and revoking or re-issuing one letter."""

from __future__ import annotations

import io

from flask import (
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext

from portal import clock, jobs
from portal.backoffice import blueprint
from portal.backoffice import campaigns as queries
from portal.backoffice.audit import log_access
from portal.backoffice.auth import login_required
from portal.backoffice.campaign_forms import RevokeForm, SendDateForm
from portal.backoffice.forms import ActionForm
from portal.backoffice.paging import pagination
from portal.campaigns import returns, schedule
from portal.database import begin_write
from portal.extensions import db
from portal.letters import campaign as printed
from portal.letters import issue, pdf
from portal.models import Job


def _campaign(campaign_id: int):
    campaign = queries.campaign_of(db.session(), g.collectivite.id, campaign_id)
    if campaign is None:
        abort(404)
    return campaign


def _page() -> int:
    page = request.args.get("page", "1")
    return int(page) if page.isdigit() and 0 < int(page) < 100_000 else 1


@blueprint.get("/campagnes/<int:campaign_id>")
@login_required
def campaign(campaign_id: int, date_form: SendDateForm | None = None, status: int = 200):
    session, found = db.session(), _campaign(campaign_id)
    page = _page()
    rows, total = queries.letters_page(session, g.collectivite.id, found.id, page)
    if rows:
        log_access(session, g.agent, "list", count=len(rows),
                   detail={"campaign_id": found.id, "page": page})  # fmt: skip
    date_form = date_form or SendDateForm(formdata=None, sent_at=found.sent_at)
    job = queries.latest_job(session, g.collectivite.id, found.id)
    return render_template(
        "backoffice/campaign.html", campaign=found, figures=returns.figures(session, found),
        state=schedule.label(found, clock.local_date()), rows=rows, total=total, page=page,
        pagination=pagination(page, max(1, -(-total // queries.PER_PAGE)), "backoffice.campaign",
                              campaign_id=found.id), date_form=date_form,
        action_form=ActionForm(), job=job, job_state=jobs.state(job) if job else None,
    ), status  # fmt: skip


@blueprint.post("/campagnes/<int:campaign_id>/date")
@login_required
def campaign_send_date(campaign_id: int):
    session, found = db.session(), _campaign(campaign_id)
    form = SendDateForm()
    if not form.validate_on_submit():
        return campaign(campaign_id, date_form=form, status=400)
    begin_write(session)
    found = _campaign(campaign_id)
    moved = schedule.set_send_date(session, found, form.sent_at.data)
    session.commit()
    if found.sent_at and found.sent_at <= clock.local_date():
        moves = ngettext(
            "%(num)d logement passe « En attente de retour ».",
            "%(num)d logements passent « En attente de retour ».",
            moved,
        )
    else:
        moves = (
            ngettext(
                "%(num)d logement revient à « Non suivi ».",
                "%(num)d logements reviennent à « Non suivi ».",
                moved,
            )
            if moved
            else ""
        )
    flash(f"{_('Date d’envoi enregistrée.')} {moves}".strip(), "success")  # fmt: skip
    return redirect(url_for("backoffice.campaign", campaign_id=campaign_id))


@blueprint.post("/campagnes/<int:campaign_id>/courriers")
@login_required
def campaign_generate(campaign_id: int):
    session, found = db.session(), _campaign(campaign_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    begin_write(session)  # a second click waits for the first one's job, and finds it
    latest = queries.latest_job(session, g.collectivite.id, found.id)
    if latest is not None and jobs.state(latest) in ("queued", "running"):  # a second click
        return redirect(url_for("backoffice.campaign_job", campaign_id=found.id,
                                job_id=latest.id))  # fmt: skip
    job = jobs.submit(session, Job(collectivite_id=g.collectivite.id, kind="letters",
                                   campaign_id=found.id, created_by_id=g.agent.id))  # fmt: skip
    return redirect(url_for("backoffice.campaign_job", campaign_id=found.id, job_id=job.id))


def _job(campaign_id: int, job_id: int) -> Job:
    job = queries.job_of(db.session(), g.collectivite.id, job_id, "letters")
    if job is None or job.campaign_id != campaign_id:
        abort(404)
    return job


@blueprint.get("/campagnes/<int:campaign_id>/courriers/<int:job_id>")
@login_required
def campaign_job(campaign_id: int, job_id: int):
    found, job = _campaign(campaign_id), _job(campaign_id, job_id)
    return render_template("backoffice/letters_job.html", campaign=found, job=job,
                           state=jobs.state(job), files=queries.files_of(db.session(), job),
                           action_form=ActionForm(),
                           # the refresh every 2 s can be stopped (WCAG 2.2.1, RGAA 13.1)
                           auto_refresh=request.args.get("actualisation") != "non")  # fmt: skip


@blueprint.post("/campagnes/<int:campaign_id>/courriers/<int:job_id>/relancer")
@login_required
def campaign_job_restart(campaign_id: int, job_id: int):
    job = _job(campaign_id, job_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    jobs.restart(db.session(), job)
    return redirect(url_for("backoffice.campaign_job", campaign_id=campaign_id, job_id=job_id))


@blueprint.get("/campagnes/<int:campaign_id>/courriers/<int:job_id>/<any(pdf, csv):role>")
@login_required
def campaign_file(campaign_id: int, job_id: int, role: str):
    session, job = db.session(), _job(campaign_id, job_id)
    file = queries.file_of(session, job, role)
    if file is None:
        abort(404)
    log_access(session, g.agent, "export", count=(job.result or {}).get("letters", 1),
               detail={"campaign_id": campaign_id, "job_id": job.id, "file": role})  # fmt: skip
    return send_file(io.BytesIO(file.data), mimetype=file.media_type, as_attachment=True,
                     download_name=file.name, max_age=0)  # fmt: skip


def _letter(campaign_id: int, letter_id: int):
    letter = queries.letter_of(db.session(), g.collectivite.id, campaign_id, letter_id)
    if letter is None:
        abort(404)
    return letter


@blueprint.route("/campagnes/<int:campaign_id>/lettres/<int:letter_id>/desactiver",
                 methods=["GET", "POST"])  # fmt: skip
@login_required
def letter_revoke(campaign_id: int, letter_id: int):
    session, found, letter = db.session(), _campaign(campaign_id), _letter(campaign_id, letter_id)
    form = RevokeForm()
    if letter.revoked_at is None and form.validate_on_submit():
        begin_write(session)
        letter = _letter(campaign_id, letter_id)
        queries.revoke_letter(session, g.agent, letter, form.reason.data, clock.now())
        session.commit()
        flash(_("Le courrier est désactivé : son QR code et son code ne fonctionnent plus."),
              "success")  # fmt: skip
        return redirect(url_for("backoffice.campaign", campaign_id=campaign_id))
    return render_template(
        "backoffice/letter_revoke.html",
        campaign=found,
        letter=letter,
        form=form,
        action_form=ActionForm(),
    ), 400 if form.errors else 200


@blueprint.post("/campagnes/<int:campaign_id>/lettres/<int:letter_id>/reemettre")
@login_required
def letter_reissue(campaign_id: int, letter_id: int):
    session, letter = db.session(), _letter(campaign_id, letter_id)
    if not ActionForm().validate_on_submit() or letter.revoked_at is None:
        abort(400)
    begin_write(session)
    letter = _letter(campaign_id, letter_id)
    queries.reissue_letter(session, g.agent, letter, current_app.config["SECRET_KEY"],
                           clock.now())  # fmt: skip
    session.commit()
    flash(_("Un nouveau courrier est prêt, avec un nouveau code : téléchargez-le et "
            "imprimez-le."), "success")  # fmt: skip
    return redirect(url_for("backoffice.letter_revoke", campaign_id=campaign_id,
                            letter_id=letter_id))  # fmt: skip


@blueprint.get("/campagnes/<int:campaign_id>/lettres/<int:letter_id>.pdf")
@login_required
def letter_pdf(campaign_id: int, letter_id: int):
    """One letter, to print it again (after a re-issue, or a misprint)."""
    session, found, letter = db.session(), _campaign(campaign_id), _letter(campaign_id, letter_id)
    if letter.revoked_at is not None or letter.seed is None:
        abort(404)
    config = current_app.config
    layout = printed.layout_for(
        session,
        found.collectivite,
        found.title,
        found.sent_at or clock.local_date(),
        config["PORTAL_BASE_URL"],
        config["GUIDANCE_CONTENT_PATH"],
        letter.variant or "standard",
    )
    secret_key = current_app.config["SECRET_KEY"]
    try:
        one = printed.recipient(letter, letter.housing, letter.owner, secret_key)
    except issue.SeedMismatch:  # SECRET_KEY changed since it was printed: new codes
        begin_write(session)
        letter = _letter(campaign_id, letter_id)
        issue.issue(letter, secret_key)
        session.commit()
        one = printed.recipient(letter, letter.housing, letter.owner, secret_key)
    out = io.BytesIO()
    pdf.render(layout, [one], out)
    log_access(session, g.agent, "export", owner_id=letter.owner_id,
               detail={"campaign_id": campaign_id, "letter_id": letter.id})  # fmt: skip
    out.seek(0)
    return send_file(out, mimetype="application/pdf", as_attachment=True, max_age=0,
                     download_name=f"courrier-{letter.id}-{letter.issue}.pdf")  # fmt: skip
