"""The queue of owners' answers: tabs with counts, filters, search, keyset pages, and the
selection form around its table (bulk actions and exports: views/selection.py)."""

from __future__ import annotations

from flask import g, render_template, request

from portal.backoffice import blueprint
from portal.backoffice.answers import (
    campaign_choices,
    commune_choices,
    queue_page,
    tab_counts,
)
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


def answer_labeller():
    """The words for an answer to one of the diagnostic's questions (a value, or a list of
    values for a multiple choice), in the agent's language: `label("intention", "sell")`."""
    content, locale = current_content(), current_language()

    def label(question_id: str, value) -> str:
        question = content.questions.get(question_id)
        values = value if isinstance(value, list) else [value]
        options = [question.option(v) if question and v else None for v in values]
        words = [option.label[locale] for option in options if option is not None]
        return ", ".join(words) or "–"

    return label


def situation_labeller():
    """The words for a declared situation, in the agent's language."""
    label = answer_labeller()
    return lambda value: label("situation", value)


# Tabs whose answers still need an agent, in the order the queue opens on the first one
# holding any (the closed ones are done).
TABS_TO_DEAL_WITH = ("new", "callback", "follow-up")


def opening_tab(session, collectivite_id: int, form: QueueFilterForm) -> str:
    """The tab the queue opens on when none was asked for: the first with answers to deal
    with under the filter, else "Nouvelles"."""
    counts = tab_counts(session, collectivite_id, form.queue_filter(None))
    return next((tab for tab in TABS_TO_DEAL_WITH if counts[tab]), "new")


@blueprint.get("/reponses")
@login_required
def queue():
    return render_queue(request.args)


def render_queue(formdata, status: int = 200, **selection_forms):
    """The queue page for the filter, tab and page in `formdata` (the URL's, or a posted
    selection form's hidden fields when one of its actions is refused: `status` 400 and
    that form, with its errors and the ticked answers kept)."""
    form = filter_form(formdata)
    tab = formdata.get("onglet") or opening_tab(db.session(), g.collectivite.id, form)
    where = form.queue_filter(tab)
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
        args=form.query_args(), answer_label=answer_labeller(), forms=list(forms.values()),
        ticked=ticked, selection_errors=selection_errors, cursor=formdata.get("apres"), **forms,
    ), 400 if form.errors else status  # fmt: skip
