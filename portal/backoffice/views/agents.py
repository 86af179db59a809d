"""The admin's page of the collectivité's agents: disable, enable, end their sessions,
reset their second factor. Admins only (403 for agents); an agent of another
collectivité is not found (404), whatever the action."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from portal import clock
from portal.backoffice import blueprint, sessions, totp
from portal.backoffice.auth import admin_required
from portal.backoffice.auth_log import auth_event
from portal.backoffice.forms import ActionForm
from portal.backoffice.queries import agent_of, agents_of
from portal.database import begin_write
from portal.extensions import db
from portal.models import Agent


@blueprint.get("/agents")
@admin_required
def agents():
    active_since = clock.now() - sessions.idle_limit()
    return render_template(
        "backoffice/agents.html",
        agents=agents_of(db.session(), g.collectivite.id, active_since),
        action_form=ActionForm(),
    )


def _colleague(agent_id: int) -> Agent:
    """The agent acted upon: one of the admin's collectivité, after a valid CSRF token."""
    if not ActionForm().validate_on_submit():
        abort(400)
    agent = agent_of(db.session(), g.collectivite.id, agent_id)
    if agent is None:
        auth_event("access-denied", agent=g.agent.id, target=agent_id, reason="other-tenant")
        abort(404)
    return agent


def _back():
    return redirect(url_for("backoffice.agents"), code=303)


@blueprint.post("/agents/<int:agent_id>/desactiver")
@admin_required
def disable_agent(agent_id: int):
    agent = _colleague(agent_id)
    if agent.id == g.agent.id:
        flash(_("Vous ne pouvez pas désactiver votre propre compte."), "error")
        return _back()
    database = db.session()
    begin_write(database)
    agent.is_active = False
    sessions.end_all(database, agent, "agent-disabled")
    database.commit()
    auth_event("agent-disabled", agent=agent.id, by=g.agent.id)
    flash(
        _(
            "Le compte de %(name)s est désactivé et ses sessions sont fermées.",
            name=agent.full_name or agent.email,
        ),
        "success",
    )
    return _back()


@blueprint.post("/agents/<int:agent_id>/reactiver")
@admin_required
def enable_agent(agent_id: int):
    agent = _colleague(agent_id)
    begin_write(db.session())
    agent.is_active = True
    db.session.commit()
    auth_event("agent-enabled", agent=agent.id, by=g.agent.id)
    flash(_("Le compte de %(name)s est réactivé.", name=agent.full_name or agent.email), "success")
    return _back()


@blueprint.post("/agents/<int:agent_id>/fermer-les-sessions")
@admin_required
def end_agent_sessions(agent_id: int):
    agent = _colleague(agent_id)
    database = db.session()
    keep = sessions.current() if agent.id == g.agent.id else None
    begin_write(database)
    count = sessions.end_all(database, agent, "admin", keep=keep)
    database.commit()
    name = agent.full_name or agent.email
    flash(
        ngettext(
            "%(num)d session de %(name)s fermée.",
            "%(num)d sessions de %(name)s fermées.",
            count,
            name=name,
        ),
        "success",
    )
    return _back()


@blueprint.post("/agents/<int:agent_id>/reinitialiser-double-authentification")
@admin_required
def reset_agent_totp(agent_id: int):
    """For a lost phone: the agent enrols a new application at their next sign-in."""
    agent = _colleague(agent_id)
    if agent.id == g.agent.id:
        flash(_("Pour changer votre propre application, passez par « Mon compte »."), "error")
        return _back()
    database = db.session()
    begin_write(database)
    totp.reset(agent)
    sessions.end_all(database, agent, "totp-reset")
    database.commit()
    auth_event("totp-reset", agent=agent.id, by=g.agent.id)
    flash(
        _(
            "La double authentification de %(name)s est réinitialisée : un nouveau code "
            "sera configuré à sa prochaine connexion.",
            name=agent.full_name or agent.email,
        ),
        "success",
    )
    return _back()
