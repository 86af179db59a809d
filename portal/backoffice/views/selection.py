"""The queue's bulk actions and exports, all POST with the CSRF token.

- Bulk actions on the ticked answers: the same status (and occupancy), one précision. All
  of the selection in one transaction, or nothing: an answer that is not the collectivité's
  (or does not exist) gives a 404, a status pair ZLV does not allow or a bad selection
  gives the queue again with a message (400).
- Exports, as CSV or XLSX: of the current filter (the queue's filter in hidden fields, and
  its current tab: what the agent sees listed), or of the ticked answers. POST, not GET
  (ASVS 3.5.3, security.md §1.2: an export creates a file of personal data), logged in the
  access log (action "export", `count` owners, the filter in `detail`) before the first byte
  is sent.
"""

from __future__ import annotations

from flask import Response, abort, flash, g, redirect, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from portal.backoffice import blueprint
from portal.backoffice.answers import owner_count, queue_rows
from portal.backoffice.audit import log_access
from portal.backoffice.auth import login_required
from portal.backoffice.bulk import (
    UnknownAnswers,
    attach_precision_to,
    change_status_of,
    selected_rows,
)
from portal.backoffice.bulk_forms import BulkPrecisionForm, BulkStatusForm, SelectionForm
from portal.backoffice.exports import (
    Labels,
    csv_chunks,
    export_rows,
    exported_at,
    file_chunks,
    xlsx_file,
)
from portal.backoffice.followup import FollowupError
from portal.backoffice.views.answer import ERRORS
from portal.backoffice.views.queue import filter_form, render_queue, situation_labeller
from portal.extensions import db
from portal.guidance import current_content
from portal.i18n import current_language
from portal.models.contact import MOMENTS

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def chosen_rows(form: SelectionForm):
    """The ticked answers, all of them the collectivité's; 404 otherwise."""
    try:
        return selected_rows(db.session(), g.collectivite.id, form.reponse.data)
    except UnknownAnswers:
        abort(404)


def back_to_queue():
    """The queue as the agent left it: the same tab, filter and page."""
    form = filter_form(request.form)
    args = form.query_args() | {"onglet": form.queue_filter(request.form.get("onglet")).tab}
    if request.form.get("apres"):
        args["apres"] = request.form["apres"]
    return redirect(url_for("backoffice.queue", **args), 303)


@blueprint.post("/reponses/selection/statut")
@login_required
def bulk_status():
    form = BulkStatusForm()
    if form.validate_on_submit():
        rows = chosen_rows(form)
        try:
            change_status_of(db.session(), g.agent, rows, *form.pair(),
                             form.occupancy.data or None)  # fmt: skip
            db.session.commit()
            flash(ngettext("Statut de suivi enregistré pour %(num)d réponse.",
                           "Statut de suivi enregistré pour %(num)d réponses.", len(rows)),
                  "success")  # fmt: skip
            return back_to_queue()
        except FollowupError as error:
            form.status.errors.append(ERRORS.get(str(error), str(error)))
    db.session.rollback()
    return render_queue(request.form, 400, status_form=form)


@blueprint.post("/reponses/selection/precision")
@login_required
def bulk_precision():
    form = BulkPrecisionForm()
    if form.validate_on_submit():
        rows = chosen_rows(form)
        try:
            attach_precision_to(db.session(), g.agent, rows, form.chosen())
            db.session.commit()
            flash(ngettext("Précision ajoutée pour %(num)d réponse.",
                           "Précision ajoutée pour %(num)d réponses.", len(rows)),
                  "success")  # fmt: skip
            return back_to_queue()
        except FollowupError:
            form.precision.errors.append(_("Choisissez une des précisions proposées"))
    db.session.rollback()
    return render_queue(request.form, 400, precision_form=form)


def export_labels() -> Labels:
    content, locale = current_content(), current_language()
    return Labels(
        situation=situation_labeller(),
        aids={slug: aid.title[locale] for slug, aid in content.aids.items()},
        moments=MOMENTS,
    )


def send_export(fmt: str, rows, count: int, detail: dict) -> Response:
    """Log the export, then send the file (CSV produced while it is sent)."""
    session = db.session()
    log_access(session, g.agent, "export", count=count, detail={"format": fmt, **detail})
    cells = export_rows(session, g.collectivite.id, rows, export_labels())
    # The CSV is produced while it is sent; the XLSX (a zip) is written, then sent.
    body = stream_with_context(csv_chunks(cells)) if fmt == "csv" else file_chunks(xlsx_file(cells))
    name = f"reponses-proprietaires-{exported_at():%Y-%m-%d-%Hh%M}.{fmt}"
    return Response(body, mimetype=FORMATS[fmt], headers={
        "Content-Disposition": f'attachment; filename="{name}"',
        "Cache-Control": "no-store",
    })  # fmt: skip


def export_filter(fmt: str) -> Response:
    """The answers of the queue's current filter and tab."""
    form = filter_form(request.form)
    if form.errors:
        abort(400)
    where = form.queue_filter(request.form.get("onglet"))
    session, collectivite_id = db.session(), g.collectivite.id
    count = owner_count(session, collectivite_id, where)
    rows = queue_rows(session, collectivite_id, where)
    return send_export(fmt, rows, count, {"tab": where.tab, "filter": form.query_args()})


def export_selection(fmt: str) -> Response:
    """The ticked answers (in any tab)."""
    form = SelectionForm()
    if not form.validate_on_submit():
        return render_queue(request.form, 400, selection_form=form)
    rows = chosen_rows(form)
    count = len({row.owner.id for row in rows})
    ids = sorted(row.response.id for row in rows)
    return send_export(fmt, rows, count, {"tab": None, "responses": ids})


# One route per file format, without a URL parameter (the cross-tenant sweep lists routes by
# their parameters).
@blueprint.post("/reponses/export.csv")
@login_required
def export_csv():
    return export_filter("csv")


@blueprint.post("/reponses/export.xlsx")
@login_required
def export_xlsx():
    return export_filter("xlsx")


@blueprint.post("/reponses/selection/export.csv")
@login_required
def export_selection_csv():
    return export_selection("csv")


@blueprint.post("/reponses/selection/export.xlsx")
@login_required
def export_selection_xlsx():
    return export_selection("xlsx")
