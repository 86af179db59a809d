"""Lock-out after repeated failed sign-ins (ASVS 5.0.0 6.1.1, 6.3.1, 6.3.8).

The design, against guessing, credential stuffing and the lock-out of others:

- **Per e-mail address, known or not.** Each failed sign-in (a wrong password, an unknown
  address, a disabled account, a wrong TOTP code at the second step) counts against the
  address typed. After `AGENT_LOGIN_MAX_FAILURES` (8) failures in a row, none older than
  `AGENT_LOCKOUT_MINUTES` (30) from the previous one, the address is locked for
  `AGENT_LOCKOUT_MINUTES`: every attempt, even with the right password, is refused. 8 tries
  then 30 minutes give an attacker at most 384 guesses a day on one account, far below
  what a 12-character password outside the common lists needs; an agent who mistypes
  has room to spare (Démarches Simplifiées locks at 6 for an hour, GOV.UK Notify at 10).
- **Nothing tells a locked account, an unknown address and a wrong password apart**: the
  same message, the same status, and the same work (argon2 runs against a dummy hash when
  the account is unknown or locked), so the lock-out reveals no account (6.3.8).
- **One table for every address**: `agent_login_throttle`, keyed by an HMAC-SHA-256 of the
  normalised address with a key derived from SECRET_KEY. Counting unknown addresses the
  same way as agents' ones is what keeps the behaviour identical; the HMAC means a typo of
  someone's address is not stored in clear, and no row looks like an account. A row is
  deleted at the next success, and rows whose window and lock are over are purged at each
  failure, so the table stays small.
- **Locking someone out** (an attacker typing an agent's address on purpose) costs the
  agent 30 minutes at most, and a password reset by e-mail lifts the lock at once (it
  proves the mailbox; the second factor is still asked at the next sign-in).
- The counter is updated in one statement (`failures = failures + 1`), so parallel
  attempts cannot slip past the limit by reading the same count.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from flask import current_app
from sqlalchemy import case, delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal import clock
from portal.backoffice.auth_log import auth_event
from portal.database import begin_write
from portal.models import AgentLoginThrottle


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def throttle_key(email: str) -> str:
    secret = current_app.config["SECRET_KEY"].encode()
    pepper = hashlib.sha256(b"agent-login-throttle:" + secret).digest()
    return hmac.new(pepper, normalise_email(email).encode(), hashlib.sha256).hexdigest()


def _window() -> timedelta:
    return timedelta(minutes=current_app.config["AGENT_LOCKOUT_MINUTES"])


def is_locked(database: Session, email: str) -> bool:
    locked_until = database.scalar(
        select(AgentLoginThrottle.locked_until).where(AgentLoginThrottle.key == throttle_key(email))
    )
    return locked_until is not None and locked_until > clock.now()


def record_failure(database: Session, email: str, agent_id: int | None = None) -> bool:
    """Count a failure for `email` (commits); True when it locks the address."""
    key = throttle_key(email)
    moment = clock.now()
    window = _window()
    # A write transaction from the start (on SQLite a write in a transaction that read
    # first fails at once, "database is locked", instead of waiting for the lock).
    begin_write(database)
    database.execute(
        delete(AgentLoginThrottle).where(
            AgentLoginThrottle.last_failure_at < moment - window,
            or_(
                AgentLoginThrottle.locked_until.is_(None), AgentLoginThrottle.locked_until < moment
            ),
        )
    )
    stale = AgentLoginThrottle.last_failure_at < moment - window
    counted = database.execute(
        update(AgentLoginThrottle)
        .where(AgentLoginThrottle.key == key)
        .values(
            failures=case((stale, 1), else_=AgentLoginThrottle.failures + 1), last_failure_at=moment
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if not counted:
        try:
            with database.begin_nested():
                database.add(AgentLoginThrottle(key=key, failures=1, last_failure_at=moment))
        except IntegrityError:  # another request created it meanwhile: count on it
            return record_failure(database, email, agent_id)
    limit = current_app.config["AGENT_LOGIN_MAX_FAILURES"]
    locked = database.execute(
        update(AgentLoginThrottle)
        .where(
            AgentLoginThrottle.key == key,
            AgentLoginThrottle.failures >= limit,
            or_(
                AgentLoginThrottle.locked_until.is_(None), AgentLoginThrottle.locked_until <= moment
            ),
        )
        .values(failures=0, locked_until=moment + window)
        .execution_options(synchronize_session=False)
    ).rowcount
    database.commit()
    who = {"agent": agent_id} if agent_id is not None else {}
    if locked:
        minutes = current_app.config["AGENT_LOCKOUT_MINUTES"]
        auth_event("login-locked", account=key[:12], **who, minutes=minutes)
    else:
        auth_event("login-failure", account=key[:12], **who)
    return bool(locked)


def record_refused(email: str, agent_id: int | None = None) -> None:
    """Log an attempt made while the address is locked (not counted: the lock is on)."""
    who = {"agent": agent_id} if agent_id is not None else {}
    auth_event("login-refused", account=throttle_key(email)[:12], **who, reason="locked")


def clear(database: Session, email: str) -> None:
    """Forget the failures of `email` (a success, a password reset; the caller began the
    write transaction, see portal.database.begin_write, and commits)."""
    database.execute(
        delete(AgentLoginThrottle).where(AgentLoginThrottle.key == throttle_key(email))
    )
