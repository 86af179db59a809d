"""E-mails to a collectivité's agents: who receives them, the links they carry, and the
notice sent for each call-back request (the digest is in portal.backoffice.digest).

These mails are in French whatever the language of the request that queues them (an owner
browsing in English asks to be called back: the agents still read French), and they carry
no personal data of the owner: see the reasoning in portal.backoffice.digest.
"""

from __future__ import annotations

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Agent, Collectivite
from portal.outbox import queue_mail

AGENTS_LOCALE = "fr"


def active_agent_emails(session: Session, collectivite_id: int) -> list[str]:
    """The addresses of the collectivité's active agents (admins included), one each."""
    return list(
        session.scalars(
            select(Agent.email)
            .where(Agent.collectivite_id == collectivite_id, Agent.is_active.is_(True))
            .order_by(Agent.id)
        )
    )


def external_url(endpoint: str, **values) -> str:
    """An absolute address on the portal (PORTAL_BASE_URL), built from the route, outside
    any request (the commands run from cron)."""
    adapter = current_app.url_map.bind("portal.invalid", script_name="/")
    return current_app.config["PORTAL_BASE_URL"].rstrip("/") + adapter.build(endpoint, values)


def in_french(render, *args, **kwargs):
    """Call `render` (render_template, gettext…) with the agents' language: French, even
    in a request whose page is in English."""
    with force_locale(AGENTS_LOCALE):
        return render(*args, **kwargs)


def display_name(collectivite: Collectivite) -> str:
    return collectivite.short_name or collectivite.name


def callback_notice(collectivite: Collectivite, response_id: int) -> tuple[str, str]:
    """Subject and body of the notice: that someone asked, and where to read it."""

    def build():
        subject = _("Demande de rappel d’un propriétaire – %(collectivite)s",
                    collectivite=display_name(collectivite))  # fmt: skip
        body = render_template(
            "backoffice/mail/callback_notice.txt", collectivite=collectivite,
            answer_url=external_url("backoffice.answer", response_id=response_id),
            settings_url=external_url("backoffice.settings"),
        )  # fmt: skip
        return subject, body

    return in_french(build)


def queue_callback_notices(session: Session, collectivite: Collectivite, response_id: int) -> int:
    """One notice per active agent, in the caller's transaction; returns how many."""
    recipients = active_agent_emails(session, collectivite.id)
    if not recipients:
        return 0
    subject, body = callback_notice(collectivite, response_id)
    for email in recipients:
        queue_mail(session, email, subject, body, collectivite_id=collectivite.id)
    return len(recipients)
