"""Password reset by e-mail (ASVS 5.0.0 6.4.1, 6.4.3, 6.3.8).

- "Mot de passe oublié ?" asks an address and always answers the same confirmation,
  whether an active agent has it or not; the mail goes through the outbox, at most one
  every `RESEND_AFTER` per agent (no mail bombing through the form).
- The link carries an itsdangerous token (URLSafeTimedSerializer, SECRET_KEY, a salt of
  its own): signed, dated, valid `AGENT_PASSWORD_RESET_MINUTES` (45 by default; ASVS asks
  for short-lived, Notify uses 60). Signed is not encrypted: the payload is only the agent
  id and a fingerprint of the current password hash, nothing personal.
- Single use: the fingerprint binds the link to the password hash of the moment, so the
  link dies as soon as it has been used, or the password has changed any other way.
- Opening the link (a GET, which mail scanners prefetch) only shows the form; the POST
  with the new password consumes it.
- After a reset: every session of the agent is ended, the sign-in lock-out of the address
  is lifted, and the agent signs in again, second factor included (a reset never skips it).
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from flask import current_app, render_template, url_for
from flask_babel import gettext as _
from itsdangerous import BadData, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from portal import clock
from portal.backoffice import lockout, sessions
from portal.backoffice.auth_log import auth_event
from portal.backoffice.queries import agent_by_email
from portal.database import begin_write
from portal.models import Agent
from portal.outbox import queue_mail
from portal.passwords import hash_password

SALT = "agent-password-reset"
RESEND_AFTER = timedelta(minutes=5)


class _ClockSigner(TimestampSigner):
    """Dates tokens with the portal's clock (tests move it)."""

    def get_timestamp(self) -> int:
        return int(clock.now().timestamp())


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT, signer=_ClockSigner)


def password_fingerprint(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:20]


def make_token(agent: Agent) -> str:
    return _serializer().dumps({"a": agent.id, "p": password_fingerprint(agent.password_hash)})


def agent_for_token(database: Session, token: str) -> Agent | None:
    """The active agent this link was made for, if it is still valid; None otherwise."""
    minutes = current_app.config["AGENT_PASSWORD_RESET_MINUTES"]
    try:
        payload = _serializer().loads(token, max_age=minutes * 60)
    except BadData:
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("a"), int):
        return None
    agent = database.get(Agent, payload["a"])
    if agent is None or not agent.is_active:
        return None
    if payload.get("p") != password_fingerprint(agent.password_hash):
        return None  # already used, or the password changed since
    return agent


def request_reset(database: Session, email: str) -> None:
    """Mail a reset link if an active agent has this address (commits); silent otherwise."""
    agent = agent_by_email(database, email)
    key = lockout.throttle_key(email)[:12]
    if agent is None or not agent.is_active:
        auth_event("reset-requested", account=key, sent="no")
        return
    moment = clock.now()
    if agent.password_reset_sent_at and moment - agent.password_reset_sent_at < RESEND_AFTER:
        auth_event("reset-requested", agent=agent.id, sent="no", reason="sent-recently")
        return
    begin_write(database)  # the mail queued and the agent's mark together
    minutes = current_app.config["AGENT_PASSWORD_RESET_MINUTES"]
    link = current_app.config["PORTAL_BASE_URL"] + url_for(
        "backoffice.reset_password", jeton=make_token(agent)
    )
    body = render_template("backoffice/password_reset_mail.txt", link=link, minutes=minutes)
    queue_mail(
        database,
        agent.email,
        _("Choisir un nouveau mot de passe"),
        body,
        collectivite_id=agent.collectivite_id,
    )
    agent.password_reset_sent_at = moment
    database.commit()
    auth_event("reset-requested", agent=agent.id, sent="yes")


def set_new_password(database: Session, agent: Agent, password: str) -> None:
    """Change the password, end every session, lift the lock-out (commits)."""
    password_hash = hash_password(password)  # (slow: before the write lock is taken)
    begin_write(database)
    agent.password_hash = password_hash
    agent.password_changed_at = clock.now()
    sessions.end_all(database, agent, "password-reset")
    lockout.clear(database, agent.email)
    database.commit()
    auth_event("reset-done", agent=agent.id)
