"""The queue of owners' answers: tabs with counts, filters, search, keyset pages."""

from __future__ import annotations

from flask import g, render_template, request

from portal.backoffice import blueprint
from portal.backoffice.answers import campaign_choices, commune_choices, queue_page
from portal.backoffice.auth import login_required
from portal.backoffice.queue_form import QueueFilterForm
from portal.extensions import db
from portal.guidance import current_content
from portal.i18n import current_language
from portal.models.response import QUEUE_TABS


def filter_form() -> QueueFilterForm:
    """The filter form of the queue's URL, validated (bad fields are shown and ignored)."""
    session, collectivite_id = db.session(), g.collectivite.id
    form = QueueFilterForm(formdata=request.args)
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
    form = filter_form()
    tab = request.args.get("onglet", "new")
    where = form.queue_filter(tab)
    page = queue_page(db.session(), g.collectivite.id, where, request.args.get("apres"))
    return render_template(
        "backoffice/queue.html", form=form, page=page, tab=where.tab, tabs=QUEUE_TABS,
        args=form.query_args(), situation_label=situation_labeller(),
    ), 400 if form.errors else 200  # fmt: skip
