"""The queue's bulk actions and exports, all POST with the CSRF token.

- Bulk actions on the ticked answers: the same status (and occupancy), one précision. All
  of the selection in one transaction, or nothing: an answer that is not the collectivité's
  (or does not exist) gives a 404, a status pair ZLV does not allow or a bad selection
  gives the queue again with a message (400).
- Exports, as CSV or XLSX: of the current filter (the queue's filter in hidden fields) in
  its current tab (what the agent sees listed) or in every tab (all the answers), or of the
  ticked answers. POST, not GET
  (ASVS 3.5.3, security.md §1.2: an export creates a file of personal data), logged in the
  access log (action "export", `count` owners, the filter in `detail`) before the first byte
  is sent.
"""

from __future__ import annotations

from dataclasses import replace

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
from portal.backoffice.export_columns import Columns, columns_for, export_rows
from portal.backoffice.exports import csv_chunks, exported_at, file_chunks, xlsx_file
from portal.backoffice.followup import FollowupError
from portal.backoffice.views.answer import ERRORS
from portal.backoffice.views.queue import filter_form, render_queue
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


def export_columns() -> Columns:
    """The columns in the agent's language, with the collectivité's own aids' titles."""
    return columns_for(current_content(), g.collectivite, current_language(), MOMENTS)


def send_export(fmt: str, rows, count: int, detail: dict) -> Response:
    """Log the export, then send the file (CSV produced while it is sent)."""
    session, columns = db.session(), export_columns()
    log_access(session, g.agent, "export", count=count, detail={"format": fmt, **detail})
    cells = export_rows(session, g.collectivite.id, rows, columns)
    headers = columns.headers()
    # The CSV is produced while it is sent; the XLSX (a zip) is written, then sent.
    if fmt == "csv":
        body = stream_with_context(csv_chunks(headers, cells))
    else:
        body = file_chunks(xlsx_file(headers, cells))
    name = f"reponses-proprietaires-{exported_at():%Y-%m-%d-%Hh%M}.{fmt}"
    return Response(body, mimetype=FORMATS[fmt], headers={
        "Content-Disposition": f'attachment; filename="{name}"',
        "Cache-Control": "no-store",
    })  # fmt: skip


def export_filter(fmt: str, every_tab: bool = False) -> Response:
    """The answers of the queue's current filter, in its current tab or in every tab."""
    form = filter_form(request.form)
    if form.errors:
        abort(400)
    where = form.queue_filter(request.form.get("onglet"))
    if every_tab:
        where = replace(where, tab=None)
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


@blueprint.post("/reponses/toutes/export.csv")
@login_required
def export_all_csv():
    return export_filter("csv", every_tab=True)


@blueprint.post("/reponses/toutes/export.xlsx")
@login_required
def export_all_xlsx():
    return export_filter("xlsx", every_tab=True)


@blueprint.post("/reponses/selection/export.csv")
@login_required
def export_selection_csv():
    return export_selection("csv")


@blueprint.post("/reponses/selection/export.xlsx")
@login_required
def export_selection_xlsx():
    return export_selection("xlsx")
