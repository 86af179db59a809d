"""One browser, one audience: an owner holding a letter or a signed-in agent, never both.

Both live in Flask's session cookie, under the keys below. Opening a letter (its QR link or
its code) ends any agent's session in that browser, the server-side record included, and an
agent's sign-in clears the cookie (portal.backoffice.sessions.start), the owner's letter
with it. The owner's side and the back-office never import each other: the owner's side
sends `owner_session_starting`, and the back-office, which knows its session records,
ends the agent's session on it (portal.backoffice.sessions).
"""

from __future__ import annotations

from flask import current_app, session
from flask.signals import Namespace

LETTER_KEY = "letter_id"  # the letter this browser opened
AGENT_TOKEN_KEY = "agent_token"  # noqa: S105  (a key of the cookie, not a secret)

_signals = Namespace()
# Sent before a browser becomes an owner's: a receiver ends what the browser held before.
owner_session_starting = _signals.signal("owner-session-starting")


def start_owner_session(letter_id: int) -> None:
    """This browser now holds the letter `letter_id`, and no agent's session."""
    owner_session_starting.send(current_app._get_current_object())
    session.pop(AGENT_TOKEN_KEY, None)  # whatever a receiver did, the token goes
    session[LETTER_KEY] = letter_id


def owner_letter_id() -> object:
    """The letter id this browser holds (unchecked: the caller looks it up), or None."""
    return session.get(LETTER_KEY)
