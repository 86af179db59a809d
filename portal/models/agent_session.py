"""Agents' server-side sessions and the failed sign-in counters (see portal.backoffice).

A session record is what makes a back-office cookie worth something: the cookie only
carries a random token, whose SHA-256 is looked up here on every request, so ending the
record (logout, expiry, a disabled agent, an admin's decision) ends the session at once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, BigId, utcnow
from portal.models.collectivite import Agent

SESSION_END_REASONS = (
    "logout",  # the agent signed out
    "idle",  # no request for AGENT_SESSION_IDLE_MINUTES
    "expired",  # AGENT_SESSION_MAX_HOURS after sign-in
    "other-sessions",  # "Se déconnecter de mes autres sessions"
    "agent-disabled",  # the account was disabled
    "admin",  # an admin ended the agent's sessions
    "password-reset",  # the password was changed through a reset link
    "totp-reset",  # the second factor was reset (lost phone)
    "locked",  # too many wrong codes at the second step
    "cli",  # `portal agents end-sessions`
    "replaced",  # a new sign-in in the same browser
    "owner-link",  # a letter's link or code opened in the same browser
)


class AgentSession(Base):
    __tablename__ = "agent_session"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agent.id"), index=True)
    # SHA-256 (hex) of the cookie's 256-bit random token; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]  # absolute end, whatever the activity
    ended_at: Mapped[datetime | None]
    ended_reason: Mapped[str | None] = mapped_column(String(20))
    # When the second factor was checked for this session (None: not yet, or not needed).
    mfa_passed_at: Mapped[datetime | None]
    # No longer written: the secret being enrolled is derived for the session
    # (portal.backoffice.totp.enrolment_secret). Ending a session still empties it; a
    # migration may drop it.
    totp_pending_secret: Mapped[str | None] = mapped_column(String(64))
    # "Firefox, Linux": enough for an agent to recognise a session, nothing more.
    user_agent: Mapped[str] = mapped_column(String(60), default="")

    agent: Mapped[Agent] = relationship()


class AgentLoginThrottle(Base):
    """Failed sign-ins for one e-mail address, known or not.

    Keyed by an HMAC of the normalised address (keyed from SECRET_KEY), so unknown
    addresses are counted exactly like agents' ones without being stored in clear and
    without creating anything that looks like an account.
    """

    __tablename__ = "agent_login_throttle"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    locked_until: Mapped[datetime | None]
