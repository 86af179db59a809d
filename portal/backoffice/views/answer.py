"""One answer: the dwelling, the owner, the answers in words, what they saw, the history,
and the agent's follow-up (status, précisions, notes, call-back, one-click confirmation)."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.backoffice import blueprint
from portal.backoffice.answer_forms import (
    ActionForm,
    ConfirmForm,
    NoteForm,
    PrecisionsForm,
    StatusForm,
    precision_value,
)
from portal.backoffice.answers import answer as find_answer
from portal.backoffice.answers import housing_notes, mark_opened
from portal.backoffice.audit import log_access
from portal.backoffice.auth import login_required
from portal.backoffice.followup import (
    FollowupError,
    add_note,
    change_status,
    confirm_suggestion,
    followup_version,
    mark_callback_done,
    precisions_of,
    set_precisions,
    suggestion,
)
from portal.backoffice.history import answer_words as words_of
from portal.backoffice.history import history, response_changes
from portal.evaluation import evaluation_for
from portal.extensions import db
from portal.guidance import current_content, current_precision_mapping
from portal.i18n import current_language
from portal.models.contact import MOMENTS
from portal.models.zlv import OCCUPANCIES, STATUSES
from portal.rules import present
from portal.rules.present import answers_in_words

ERRORS = {
    "not-allowed-pair": _l("Ce sous-statut n’existe pas pour ce statut dans Zéro Logement Vacant"),
}
STALE = _l("Cette réponse a changé depuis que vous avez ouvert la page (le propriétaire ou un "
           "collègue l’a modifiée). Relisez-la : vos choix sont gardés, enregistrez-les à "
           "nouveau s’ils conviennent toujours.")  # fmt: skip

LAST_OPENED = object()  # render_answer: the answer's own opened_at


def scoped_answer(response_id: int):
    """The answer if it belongs to the agent's collectivité; 404 otherwise (same for a
    foreign id as for an unknown one)."""
    row = find_answer(db.session(), g.collectivite.id, response_id)
    if row is None:
        abort(404)
    return row


def answer_words(row, locale: str, opened_before=None) -> list[dict]:
    """Each answer in the content's order: the question's short label, the answer in words
    and, when the owner changed it after submitting, the earlier answer, when, and whether
    that was after the answer was last opened (`opened_before`)."""
    content = current_content()
    changes = response_changes(db.session(), g.collectivite.id, row.response.id)
    words = []
    for question, text in answers_in_words(content, row.response.answers, locale):
        change, earlier = changes.get(question.id), None
        if change is not None:
            before = words_of(content, question.id, (change.before or {}).get("value"), locale)
            unread = opened_before is None or change.changed_at > opened_before
            earlier = {"before": before, "at": change.changed_at, "unread": unread}
        words.append({"question": question.short_label[locale], "answer": text,
                      "change": earlier})  # fmt: skip
    return words


def seen_recommendations(row, locale: str) -> list[dict]:
    content = current_content()
    shown = present(evaluation_for(content, row.letter, row.response.answers), content, locale)
    by_slug = {r["slug"]: r for r in shown["recommendations"]}
    return [by_slug[r.aid_slug] for r in row.response.recommendations if r.aid_slug in by_slug]


@blueprint.get("/reponses/<int:response_id>")
@login_required
def answer(response_id: int):
    row = scoped_answer(response_id)
    log_access(db.session(), g.agent, "view", owner_id=row.owner.id,
               detail={"response_id": row.response.id})  # fmt: skip
    opened_before = row.response.opened_at
    mark_opened(db.session(), g.collectivite.id, row.response)
    db.session.commit()
    return render_answer(row, opened_before=opened_before)


def render_answer(row, status: int = 200, opened_before=LAST_OPENED, **forms):
    """The page; `opened_before`: when the answer was opened before this view (a GET), to
    mark the answers changed since (after a POST, the time it was last opened)."""
    session, locale = db.session(), current_language()
    if opened_before is LAST_OPENED:
        opened_before = row.response.opened_at
    version = followup_version(session, row)
    # Forms not sent by this request start from the page's state, not from what was sent.
    status_form = forms.get("status_form") or StatusForm(
        formdata=None,
        status=f"{row.housing.status}|{row.housing.sub_status or ''}",
        version=version,
    )
    precisions_form = forms.get("precisions_form") or PrecisionsForm(
        formdata=None,
        precisions=[precision_value(*p) for p in sorted(precisions_of(session, row.housing.id))],
        version=version,
    )
    entries = history(session, g.collectivite.id, row.housing.id, current_content(), locale)
    notes = housing_notes(session, g.collectivite.id, row.housing.id)
    page_forms = [status_form, precisions_form, forms.get("note_form") or NoteForm(formdata=None)]
    return render_template(
        "backoffice/answer.html", row=row, words=answer_words(row, locale, opened_before),
        seen=seen_recommendations(row, locale), history=entries, notes=notes,
        suggested=suggestion(row, current_precision_mapping()),
        status_form=status_form, precisions_form=precisions_form, note_form=page_forms[2],
        action_form=ConfirmForm(formdata=None, version=version), forms=page_forms,
        statuses=STATUSES, occupancies=OCCUPANCIES, moment_labels=MOMENTS,
    ), status  # fmt: skip


def done(row, message: str):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("backoffice.answer", response_id=row.response.id), 303)


@blueprint.post("/reponses/<int:response_id>/statut")
@login_required
def update_status(response_id: int):
    row, form = scoped_answer(response_id), StatusForm()
    if form.validate_on_submit():
        if form.is_stale(followup_version(db.session(), row)):
            form.status.errors.append(STALE)
            return render_answer(row, 409, status_form=form)
        try:
            change_status(db.session(), g.agent, row, *form.pair(), form.occupancy.data or None)
            return done(row, _("Statut de suivi enregistré."))
        except FollowupError as error:
            form.status.errors.append(ERRORS.get(str(error), str(error)))
    db.session.rollback()
    return render_answer(row, 400, status_form=form)


@blueprint.post("/reponses/<int:response_id>/precisions")
@login_required
def update_precisions(response_id: int):
    row, form = scoped_answer(response_id), PrecisionsForm()
    if form.validate_on_submit():
        if form.is_stale(followup_version(db.session(), row)):
            form.precisions.errors.append(STALE)
            return render_answer(row, 409, precisions_form=form)
        try:
            set_precisions(db.session(), g.agent, row, form.chosen())
            return done(row, _("Précisions enregistrées."))
        except FollowupError:
            form.precisions.errors.append(
                _("Une seule évolution par catégorie (travaux, occupation, mutation)")
            )
    db.session.rollback()
    return render_answer(row, 400, precisions_form=form)


@blueprint.post("/reponses/<int:response_id>/notes")
@login_required
def create_note(response_id: int):
    row, form = scoped_answer(response_id), NoteForm()
    if form.validate_on_submit():
        add_note(db.session(), g.agent, row, form.content.data, form.kind.data or "Note courante")
        return done(row, _("Note ajoutée."))
    return render_answer(row, 400, note_form=form)


@blueprint.post("/reponses/<int:response_id>/confirmer")
@login_required
def confirm(response_id: int):
    row, form = scoped_answer(response_id), ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    if form.is_stale(followup_version(db.session(), row)):
        flash(STALE, "error")
        return redirect(url_for("backoffice.answer", response_id=row.response.id), 303)
    confirm_suggestion(db.session(), g.agent, row, current_precision_mapping())
    return done(row, _("Suggestion confirmée : statut, occupation et précisions enregistrés."))


@blueprint.post("/reponses/<int:response_id>/rappel-fait")
@login_required
def callback_done(response_id: int):
    row = scoped_answer(response_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    mark_callback_done(db.session(), g.agent, row)
    return done(row, _("Rappel enregistré comme fait."))
