"""The diagnostic, one question per page; the check page; the results; the exits."""

from __future__ import annotations

from flask import abort, current_app, g, redirect, render_template, url_for

from portal import clock
from portal.evaluation import evaluation_for
from portal.experiments.exposure import page_texts, page_variant
from portal.extensions import db
from portal.guidance import current_content
from portal.i18n import current_language
from portal.owner import blueprint
from portal.owner.access import letter_required
from portal.owner.forms import ConfirmForm, question_form
from portal.owner.journey import find_response, record_owner_return, save_answer
from portal.owner.results import results_in_words
from portal.owner.summary_pdf import SIZE_BOUND_KB
from portal.rules.present import answers_in_words

EXITS = ("sold", "not_owner", "do_not_contact")


def owner_answers() -> dict:
    response = find_response(db.session(), g.letter)
    return response.answers if response else {}


def next_url(evaluation) -> str:
    if evaluation.next_question:
        return url_for("owner.question", question_id=evaluation.next_question)
    return url_for("owner.check")


@blueprint.get("/diagnostic/")
@letter_required
def start():
    return redirect(next_url(evaluation_for(current_content(), g.letter, owner_answers())), 303)


@blueprint.route("/diagnostic/<question_id>", methods=["GET", "POST"])
@letter_required
def question(question_id: str):
    content, locale = current_content(), current_language()
    question = content.questions.get(question_id)
    if question is None:
        abort(404)
    evaluation = evaluation_for(content, g.letter, owner_answers())
    if question_id not in evaluation.answers and question_id != evaluation.next_question:
        return render_template("owner/out_of_order.html", next=next_url(evaluation)), 409
    form = question_form(question, locale, evaluation.answers)
    if form.validate_on_submit():
        _, evaluation = save_answer(db.session(), g.letter, content, question_id, form.answer.data)
        return redirect(next_url(evaluation), 303)
    asked = [q for q in content.questions if q in evaluation.answers]
    position = asked.index(question_id) if question_id in asked else len(asked)
    # An upper bound: every question not answered that may still apply (it shrinks as
    # answers make questions irrelevant), never "step 1 of 1" on the first page.
    remaining = [
        q for q in content.questions if q not in asked and q not in evaluation.not_applicable
    ]
    step = {"title": question.short_label[locale], "current": position + 1,
            "total": max(len(asked) + len(remaining), position + 1)}  # fmt: skip
    back = url_for("owner.question", question_id=asked[position - 1]) if position else None
    status = 400 if form.errors else 200
    return render_template("owner/question.html", form=form, step=step, back=back,
                           exclusive_option=question.exclusive), status  # fmt: skip


@blueprint.route("/diagnostic/verification", methods=["GET", "POST"])
@letter_required
def check():
    content, locale = current_content(), current_language()
    evaluation = evaluation_for(content, g.letter, owner_answers())
    if evaluation.next_question:
        return redirect(next_url(evaluation), 303)
    form = ConfirmForm()
    if form.validate_on_submit():
        record_owner_return(db.session(), g.letter, content, "submitted")
        return redirect(url_for("owner.results"), 303)
    summary = answers_in_words(content, evaluation.answers, locale)
    return render_template("owner/check.html", summary=summary, form=form, locale=locale)


def submitted_evaluation(content):
    """The evaluation of the letter's submitted answers (the results page and the PDF
    summary), or None while the diagnostic is not submitted."""
    response = find_response(db.session(), g.letter)
    if response is None or response.submitted_at is None:
        return None
    return evaluation_for(content, g.letter, response.answers)


def results_detour(evaluation) -> str | None:
    """Where the results (page or PDF) send the owner first, if anywhere: the check page
    while nothing is submitted, a question that an answer changed after the submission
    made relevant."""
    if evaluation is None:
        return url_for("owner.check")
    if evaluation.next_question:
        return next_url(evaluation)
    return None


@blueprint.get("/resultats")
@letter_required
def results():
    content, locale = current_content(), current_language()
    evaluation = submitted_evaluation(content)
    if detour := results_detour(evaluation):
        return redirect(detour, 303)
    variant = page_variant(db.session(), g.letter, "results", now=clock.now())
    texts = page_texts(current_app.config["GUIDANCE_CONTENT_PATH"], "results", variant, locale)
    return render_template("owner/results.html", pdf_size_bound_kb=SIZE_BOUND_KB, texts=texts,
                           **results_in_words(evaluation, content, locale))  # fmt: skip


@blueprint.route("/sortie/<kind>", methods=["GET", "POST"])
@letter_required
def leave(kind: str):
    if kind not in EXITS:
        abort(404)
    form = ConfirmForm()
    if form.validate_on_submit():
        record_owner_return(db.session(), g.letter, current_content(), kind)
        return redirect(url_for("owner.left", kind=kind), 303)
    return render_template("owner/exit_confirm.html", kind=kind, form=form)


@blueprint.get("/sortie/<kind>/merci")
@letter_required
def left(kind: str):
    if kind not in EXITS:
        abort(404)
    return render_template("owner/exit_done.html", kind=kind)
