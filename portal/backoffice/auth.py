"""Who is signed in to the back-office, and the guard for its views."""

from __future__ import annotations

from functools import wraps

from flask import g, redirect, request, session, url_for

from portal.extensions import db
from portal.models import Agent


def current_agent() -> Agent | None:
    if "agent" not in g:
        agent_id = session.get("agent_id")
        agent = db.session.get(Agent, agent_id) if isinstance(agent_id, int) else None
        g.agent = agent if agent is not None and agent.is_active else None
    return g.agent


def login_required(view):
    @wraps(view)
    def guarded(*args, **kwargs):
        agent = current_agent()
        if agent is None:
            return redirect(url_for("backoffice.login", next=request.path), code=303)
        g.collectivite = agent.collectivite
        return view(*args, **kwargs)

    return guarded
