"""The owner's pages: the QR target, the typed code, the landing."""

from __future__ import annotations

from flask import current_app, g, redirect, render_template, request, url_for

from portal import browser_session, clock
from portal.experiments.exposure import page_texts, page_variant
from portal.experiments.wordings import CONTROL
from portal.extensions import db
from portal.i18n import select_locale
from portal.models import Collectivite, Letter
from portal.owner import blueprint
from portal.owner.access import start_owner_session
from portal.owner.forms import CodeForm
from portal.owner.landing import LandingState, landing_state
from portal.owner.service import open_by_code, open_by_token
from portal.pagecache import PageKey, render_cached
from portal.ratelimit import record_failed_code_attempt, refuse_blocked_code_attempt
from portal.templating import longdate


@blueprint.get("/l/<token>")
def letter_link(token: str):
    """What the QR code points to: exchange the token for a session, then a clean URL."""
    refuse_blocked_code_attempt()  # guessing links counts like guessing codes
    letter = open_by_token(db.session(), token)
    if letter is None:
        record_failed_code_attempt()
        return render_template("owner/link_invalid.html"), 404
    start_owner_session(letter)
    return redirect(url_for("owner.landing"), code=303)


@blueprint.route("/code", methods=["GET", "POST"])
def code():
    form = CodeForm()
    if request.method == "POST":
        refuse_blocked_code_attempt()  # 429 with Retry-After while over a limit
    if form.validate_on_submit():
        letter = open_by_code(db.session(), form.code.canonical, current_app.config["SECRET_KEY"])
        if letter is not None:
            start_owner_session(letter)
            return redirect(url_for("owner.landing"), code=303)
        form.code.errors.append(form.not_found_message)
    if form.code.errors and form.code.data and form.code.data.strip():
        record_failed_code_attempt()  # a code typed and refused
    return render_template("owner/code.html", form=form), 400 if form.errors else 200


@blueprint.get("/mon-logement")
def landing():
    """The owner's landing, the page every scan leads to: one rendering per campaign,
    language and stage serves every owner of the campaign (see portal.pagecache), each
    request checked by one query that also reads the owner's own facts."""
    state = landing_state(db.engine, browser_session.owner_letter_id())
    if state is None:
        return render_template("owner/link_invalid.html"), 404
    answered_on = longdate(state.submitted_at)
    own = {"address": state.address, "answered_on": answered_on}
    variant = CONTROL
    if state.experimenting and state.shape.progress != "submitted":  # the texts are shown
        letter = db.session.get(Letter, browser_session.owner_letter_id())
        variant = page_variant(db.session(), letter, "landing", now=clock.now())
    key = PageKey("owner/landing.html", select_locale(), *state.shape, variant)
    return render_cached(key, lambda values: _render_landing(state, variant, values), own)


def _render_landing(state: LandingState, variant: str, values: dict[str, str]) -> str:
    """The landing from its collectivité, its wording and the placeholders of the owner's
    facts alone."""
    g.collectivite = db.session.get(Collectivite, state.shape.collectivite_id)
    language = select_locale()
    texts = page_texts(current_app.config["GUIDANCE_CONTENT_PATH"], "landing", variant, language)
    return render_template("owner/landing.html", collectivite=g.collectivite,
                           progress=state.shape.progress, texts=texts, **values)  # fmt: skip
