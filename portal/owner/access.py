"""Which letter this browser opened: set when a QR link or a typed code opens one, read
by the guard of every owner page after it."""

from __future__ import annotations

from functools import wraps

from flask import g, render_template

from portal import browser_session
from portal.extensions import db
from portal.owner.service import letter_in_session


def start_owner_session(letter) -> None:
    """This browser now holds `letter`: any agent's session in it ends (see
    portal.browser_session)."""
    browser_session.start_owner_session(letter.id)


def letter_required(view):
    @wraps(view)
    def guarded(*args, **kwargs):
        letter = letter_in_session(db.session(), browser_session.owner_letter_id())
        if letter is None:
            return render_template("owner/link_invalid.html"), 404
        g.letter, g.collectivite = letter, letter.collectivite
        return view(*args, **kwargs)

    return guarded
