"""Asking to be called back, and saying whether the service was useful."""

from __future__ import annotations

from flask import g, redirect, render_template, url_for
from flask_babel import gettext as _

from portal.extensions import db
from portal.guidance import current_content
from portal.owner import blueprint
from portal.owner.access import letter_required
from portal.owner.callback import CallbackForm, FeedbackForm
from portal.owner.journey import record_owner_return, save_feedback


@blueprint.route("/rappel", methods=["GET", "POST"])
@letter_required
def callback():
    form = CallbackForm()
    if form.validate_on_submit():
        details = form.details()
        subject = _("Votre demande de rappel à %(collectivite)s", collectivite=g.collectivite.name)
        body = render_template("owner/callback_receipt.txt", details=details)
        record_owner_return(db.session(), g.letter, current_content(), "callback",
                            callback=details, receipt=(subject, body))  # fmt: skip
        return redirect(url_for("owner.callback_done"), 303)
    return render_template("owner/callback.html", form=form), 400 if form.errors else 200


@blueprint.route("/avis", methods=["GET", "POST"])
@letter_required
def feedback():
    form = FeedbackForm()
    if form.validate_on_submit():
        save_feedback(db.session(), g.letter, current_content(), form.useful.data == "yes",
                      (form.comment.data or "").strip())  # fmt: skip
        return redirect(url_for("owner.feedback_done"), 303)
    return render_template("owner/feedback.html", form=form), 400 if form.errors else 200


# The thank-you pages, once the call-back request or the feedback is saved: endpoint → path;
# each shows the template owner/<endpoint>.html.
THANKS = {"callback_done": "/rappel/merci", "feedback_done": "/avis/merci"}


def thanks_page(endpoint: str):
    @letter_required
    def thanks():
        return render_template(f"owner/{endpoint}.html")

    return thanks


for endpoint, path in THANKS.items():
    blueprint.add_url_rule(path, endpoint, thanks_page(endpoint), methods=["GET"])
