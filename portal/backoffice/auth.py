"""Who is signed in to the back-office, and the guards for its views.

Function-level rules (ASVS 5.0.0 8.1.1): every back-office page needs a live session whose
second factor is passed (`login_required`); the "Agents" pages need the admin role
(`admin_required`, 403 otherwise). Data-level rules live in portal.backoffice.queries:
every query takes the agent's collectivité first.

A session is "pending" between the password and the second factor: it only opens the
code page (an agent with TOTP) or the enrolment page (TOTP required, none yet).
"""

from __future__ import annotations

from functools import wraps

from flask import abort, current_app, flash, g, redirect, request, url_for
from flask_babel import gettext as _

from portal.backoffice import sessions
from portal.backoffice.auth_log import auth_event
from portal.models import Agent, AgentSession


def totp_required() -> bool:
    return bool(current_app.config["AGENT_TOTP_REQUIRED"])


def second_factor_done(record: AgentSession) -> bool:
    """True if this session may use the back-office as far as the second factor goes."""
    if record.mfa_passed_at is not None:
        return True
    return not record.agent.has_totp and not totp_required()


def current_agent() -> Agent | None:
    """The fully signed-in agent of this request (password and second factor), or None."""
    if "agent" not in g:
        record = sessions.current()
        g.agent = record.agent if record is not None and second_factor_done(record) else None
    return g.agent


def next_step_url(record: AgentSession, next_path: str | None = None) -> str:
    """Where a pending session goes: the code page, or the enrolment page."""
    if record.agent.has_totp:
        return url_for("backoffice.login_code", next=next_path)
    return url_for("backoffice.totp_enrol", next=next_path)


def login_required(view):
    @wraps(view)
    def guarded(*args, **kwargs):
        agent = current_agent()
        if agent is None:
            record = sessions.current()
            if record is not None:  # password given, second factor still to come
                return redirect(next_step_url(record, request.path), code=303)
            if g.get("session_timed_out"):
                flash(_("Votre session a expiré. Connectez-vous à nouveau."), "info")
            return redirect(url_for("backoffice.login", next=request.path), code=303)
        g.collectivite = agent.collectivite
        return view(*args, **kwargs)

    return guarded


def admin_required(view):
    @login_required
    @wraps(view)
    def guarded(*args, **kwargs):
        if not g.agent.is_admin:
            auth_event("access-denied", agent=g.agent.id, endpoint=request.endpoint)
            abort(403)
        return view(*args, **kwargs)

    return guarded


def session_required(view):
    """A live session, second factor passed or not (the second-factor pages themselves)."""

    @wraps(view)
    def guarded(*args, **kwargs):
        record = sessions.current()
        if record is None:
            return redirect(url_for("backoffice.login"), code=303)
        return view(*args, **kwargs)

    return guarded
