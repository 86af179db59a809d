"""The queue of owners' answers: tabs with counts, filters, search, keyset pages, and the
selection form around its table (bulk actions and exports: views/selection.py)."""

from __future__ import annotations

from flask import g, render_template, request

from portal.backoffice import blueprint
from portal.backoffice.answers import campaign_choices, commune_choices, queue_page
from portal.backoffice.audit import log_access
from portal.backoffice.auth import login_required
from portal.backoffice.bulk_forms import BulkPrecisionForm, BulkStatusForm, SelectionForm
from portal.backoffice.queue_form import QueueFilterForm
from portal.extensions import db
from portal.guidance import current_content
from portal.i18n import current_language
from portal.models.response import QUEUE_TABS


def filter_form(formdata=None) -> QueueFilterForm:
    """The queue's filter form, from the URL (or the hidden fields of a POST form),
    validated (bad fields are shown and ignored)."""
    session, collectivite_id = db.session(), g.collectivite.id
    form = QueueFilterForm(formdata=request.args if formdata is None else formdata)
    form.fill_choices(campaign_choices(session, collectivite_id),
                      commune_choices(session, collectivite_id),
                      current_content(), current_language())  # fmt: skip
    form.validate()
    return form


def situation_labeller():
    """The words for a declared situation, in the agent's language."""
    content, locale = current_content(), current_language()
    question = content.questions.get("situation")

    def label(value: str | None) -> str:
        option = question.option(value) if question and value else None
        return option.label[locale] if option else "–"

    return label


@blueprint.get("/reponses")
@login_required
def queue():
    return render_queue(request.args)


def render_queue(formdata, status: int = 200, **selection_forms):
    """The queue page for the filter, tab and page in `formdata` (the URL's, or a posted
    selection form's hidden fields when one of its actions is refused: `status` 400 and
    that form, with its errors and the ticked answers kept)."""
    form = filter_form(formdata)
    where = form.queue_filter(formdata.get("onglet", "new"))
    page = queue_page(db.session(), g.collectivite.id, where, formdata.get("apres"))
    if page.rows:  # owners' names and addresses were read: logged like an answer's page
        owner_ids = sorted({row.owner.id for row in page.rows})
        log_access(db.session(), g.agent, "list", count=len(owner_ids),
                   detail={"tab": where.tab, "owner_ids": owner_ids})  # fmt: skip
    forms = {"status_form": BulkStatusForm(formdata=None),
             "precision_form": BulkPrecisionForm(formdata=None),
             "selection_form": SelectionForm(formdata=None)} | selection_forms  # fmt: skip
    submitted = [bulk_form.reponse for bulk_form in selection_forms.values()]
    ticked = {id_ for field in submitted for id_ in field.data}
    selection_errors = [error for field in submitted for error in field.errors]
    return render_template(
        "backoffice/queue.html", form=form, page=page, tab=where.tab, tabs=QUEUE_TABS,
        args=form.query_args(), situation_label=situation_labeller(), forms=list(forms.values()),
        ticked=ticked, selection_errors=selection_errors, cursor=formdata.get("apres"), **forms,
    ), 400 if form.errors else status  # fmt: skip
