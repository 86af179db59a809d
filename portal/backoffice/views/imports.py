"""Importing housings, for the collectivité's agents and admins: upload a file, follow its
preview, confirm it, follow the import (portal/backoffice/imports.py, portal/jobs/imports.py).

The upload is the one request allowed beyond MAX_CONTENT_LENGTH (IMPORT_MAX_BYTES). Flask-WTF's
global CSRF check would read the body before the view could raise the limit, so this view
is exempt from it and its form checks the CSRF token itself; a file beyond the limit gives
the upload page with a message, not the error page.
"""

from __future__ import annotations

from flask import abort, current_app, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

from portal import jobs
from portal.backoffice import blueprint
from portal.backoffice.auth import login_required
from portal.backoffice.import_forms import ACCEPT, ConfirmForm, ImportForm
from portal.backoffice.imports import (
    check_upload,
    confirm,
    confirmable,
    file_name,
    import_job,
    progress,
    report_file,
    submit_preview,
)
from portal.extensions import csrf, db
from portal.i18n import current_language
from portal.imports.messages import describe_all, file_error
from portal.imports.read import ImportFileError
from portal.templating import file_size


@blueprint.route("/imports/nouveau", methods=["GET", "POST"])
@csrf.exempt  # the form checks its token itself, once the larger limit is set (docstring)
@login_required
def import_new():
    limit = current_app.config["IMPORT_MAX_BYTES"]
    request.max_content_length = limit
    try:
        form = ImportForm()
        submitted = form.validate_on_submit()
    except RequestEntityTooLarge:
        form, submitted = ImportForm(formdata=None), False
        form.file.errors = [_("Le fichier dépasse %(size)s : découpez-le en plusieurs "
                              "fichiers", size=file_size(limit))]  # fmt: skip
    if submitted:
        name = file_name(form.file.data.filename)
        data = form.file.data.read()
        try:
            check_upload(data, name)
        except ImportFileError as error:
            form.file.errors.append(file_error(error.code, error.params))
        else:
            job = submit_preview(db.session(), g.agent, name, data, current_language())
            return redirect(url_for("backoffice.import_status", job_id=job.id), 303)
    status = 413 if request.content_length and request.content_length > limit else 200
    status = 400 if form.errors and status == 200 else status
    hint = _("Formats acceptés : XLSX (l’export de campagne de ZLV, avec sa feuille "
             "« Logements ») ou CSV (colonnes ff_idlocal, code_insee et proprietaire "
             "obligatoires). Taille maximale : %(size)s.", size=file_size(limit))  # fmt: skip
    return render_template("backoffice/import_new.html", form=form, hint=hint,
                           accept=ACCEPT), status  # fmt: skip


def _job_or_404(job_id: int):
    job = import_job(db.session(), g.collectivite.id, job_id)
    if job is None:
        abort(404)
    return job


@blueprint.get("/imports/<int:job_id>")
@login_required
def import_status(job_id: int):
    job = _job_or_404(job_id)
    state = progress(job)
    result = job.result or {}
    error = result.get("file_error") if state.state == "done" else None
    problem_rows = [
        [problem["row"], problem["local_id"] or "—", describe_all(problem["reasons"])]
        for problem in result.get("problems") or ()
    ]
    return render_template(
        "backoffice/import_status.html", job=job, progress=state, result=result,
        problem_rows=problem_rows,
        file_error=file_error(*error) if error else None, form=ConfirmForm(),
        can_confirm=confirmable(job) and not result.get("apply_job_id"),
        report=report_file(db.session(), g.collectivite.id, job.id),
        # The refresh every 2 s can be stopped (WCAG 2.2.1, RGAA 13.1): ?actualisation=non.
        auto_refresh=request.args.get("actualisation") != "non",
    )  # fmt: skip


@blueprint.post("/imports/<int:job_id>/confirmer")
@login_required
def import_confirm(job_id: int):
    _job_or_404(job_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    job = confirm(db.session(), g.agent, job_id, current_language())
    target = job.id if job is not None else job_id
    return redirect(url_for("backoffice.import_status", job_id=target), 303)


@blueprint.post("/imports/<int:job_id>/relancer")
@login_required
def import_restart(job_id: int):
    job = _job_or_404(job_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    jobs.restart(db.session(), job)
    return redirect(url_for("backoffice.import_status", job_id=job.id), 303)


@blueprint.get("/imports/<int:job_id>/rapport.csv")
@login_required
def import_report(job_id: int):
    report = report_file(db.session(), g.collectivite.id, job_id)
    if report is None:
        abort(404)
    return current_app.response_class(
        report.data, mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{report.name}"',
                 "Cache-Control": "no-store"},
    )  # fmt: skip
