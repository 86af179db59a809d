"""Agents' sessions, kept on the server (ASVS 5.0.0 chapter V7).

Flask's own session is a signed cookie: signing out cannot revoke it, and a copy keeps
working until it expires. So the back-office cookie carries nothing but an opaque token
(`secrets.token_urlsafe(32)`: 256 random bits, ASVS 7.2.3) and every back-office request
looks up its SHA-256 in the `agent_session` table (a plain hash is enough for such a
random value, as for API keys: the table never gives the token back). The agent is read
again from the database on each request, so disabling an account or changing a role takes
effect at the very next click (ASVS 7.4.2, 8.3.2).

Lifetimes (ASVS 7.1.1, 7.3.1, 7.3.2), both configurable:

- **Idle: 30 minutes** (`AGENT_SESSION_IDLE_MINUTES`). The back-office shows the names,
  addresses and phone numbers of a whole territory's owners, often on a shared computer in
  a town hall. Thirty minutes covers a phone call with an owner or a short meeting with the
  page left open, and stays within what OWASP's session cheat sheet gives for applications
  handling personal data (15 to 30 minutes); GOV.UK Notify uses the same figure for its
  platform admins.
- **Absolute: 12 hours** (`AGENT_SESSION_MAX_HOURS`). One working day, even a long one:
  an agent signs in (with the second factor) once a day, and a stolen cookie kept busy is
  still worth half a day at most. Notify allows 20 hours; we have no night shift.

`last_seen_at` is written at most once a minute (`TOUCH_EVERY`), so reading pages does not
mean a database write per click; the idle limit is exact to that minute.

A new record and a new token at every sign-in, the Flask session (and its CSRF token)
cleared first, and the token replaced again once the second factor is passed (session
fixation, ASVS 7.2.4). A session ends (`ended_at`, `ended_reason`) by logging out (7.4.1),
by the "other sessions" button (7.4.3), when the agent is disabled (7.4.2), when an admin
ends it (7.4.5), after a password reset, or when found idle or expired. Ended records are
kept `KEEP_ENDED` days (the account page, an investigation), then deleted at a sign-in.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

from flask import current_app, g, request, session
from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from portal import clock
from portal.backoffice.auth_log import auth_event
from portal.browser_session import AGENT_TOKEN_KEY, owner_session_starting
from portal.database import begin_write
from portal.extensions import db
from portal.models import Agent, AgentSession

COOKIE_KEY = AGENT_TOKEN_KEY  # the key of the token inside Flask's session cookie
TOUCH_EVERY = timedelta(minutes=1)
KEEP_ENDED = timedelta(days=30)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def idle_limit() -> timedelta:
    return timedelta(minutes=current_app.config["AGENT_SESSION_IDLE_MINUTES"])


def max_age() -> timedelta:
    return timedelta(hours=current_app.config["AGENT_SESSION_MAX_HOURS"])


def start(agent: Agent) -> AgentSession:
    """Sign `agent` in: a new record and a new cookie (one write transaction, with the
    caller's if it began one; commits)."""
    previous = current()  # a session not finished (second factor pending) dies here
    database = db.session()
    begin_write(database)
    replaced = previous is not None and _close(previous, "replaced")
    moment = clock.now()
    database.execute(
        delete(AgentSession).where(
            or_(
                AgentSession.ended_at < moment - KEEP_ENDED,
                AgentSession.expires_at < moment - KEEP_ENDED,
            )
        )
    )
    token = secrets.token_urlsafe(32)
    record = AgentSession(
        agent=agent,
        token_hash=hash_token(token),
        created_at=moment,
        last_seen_at=moment,
        expires_at=moment + max_age(),
        user_agent=device_label(request.headers.get("User-Agent", "")),
    )
    database.add(record)
    database.commit()
    if replaced:
        _ended(previous, "replaced")
    session.clear()  # nothing from before the sign-in survives, the CSRF token included
    session[COOKIE_KEY] = token
    g.agent_session = record
    return record


def rotate(record: AgentSession) -> None:
    """Give the current session a new token (after the second factor; commits)."""
    begin_write(db.session())
    token = secrets.token_urlsafe(32)
    record.token_hash = hash_token(token)
    db.session.commit()
    session[COOKIE_KEY] = token


def current() -> AgentSession | None:
    """This request's live session record, or None (cached in `g.agent_session`).

    A record found idle, past its absolute end, or whose agent is disabled is ended here,
    and `g.session_timed_out` tells the sign-in page to say why.
    """
    if "agent_session" in g:
        return g.agent_session
    g.agent_session = None
    token = session.get(COOKIE_KEY)
    if not isinstance(token, str) or not token:
        return None
    database = db.session()
    record = database.scalar(
        select(AgentSession).where(AgentSession.token_hash == hash_token(token))
    )
    if record is None or record.ended_at is not None:
        session.pop(COOKIE_KEY, None)
        return None
    moment = clock.now()
    reason = None
    if moment >= record.expires_at:
        reason = "expired"
    elif moment - record.last_seen_at >= idle_limit():
        reason = "idle"
    elif not record.agent.is_active:
        reason = "agent-disabled"
    if reason is not None:
        end(record, reason)
        session.pop(COOKIE_KEY, None)
        g.session_timed_out = reason in ("expired", "idle")
        return None
    if moment - record.last_seen_at >= TOUCH_EVERY:
        begin_write(database, reload=False)  # the record read just now stays loaded
        record.last_seen_at = moment
        database.commit()
    g.agent_session = record
    return record


def end(record: AgentSession, reason: str) -> None:
    """End one session (commits)."""
    begin_write(db.session())
    if _close(record, reason):
        db.session.commit()
        _ended(record, reason)


def _close(record: AgentSession, reason: str) -> bool:
    """End `record` in the write transaction begun (not committed); False if it had
    ended already."""
    if record.ended_at is not None:
        return False
    record.ended_at, record.ended_reason = clock.now(), reason
    record.totp_pending_secret = None
    return True


def _ended(record: AgentSession, reason: str) -> None:
    auth_event("session-ended", agent=record.agent_id, session=record.id, reason=reason)


def end_current(reason: str = "logout") -> None:
    """Sign out of this browser: the record ends and the cookie is emptied."""
    record = current()
    if record is not None:
        end(record, reason)
    session.clear()
    g.agent_session = None


@owner_session_starting.connect
def end_on_owner_link(_app, **_extra) -> None:
    """A letter is opened in this browser: the agent signed in here, if any, is signed
    out, the record ended (portal.browser_session: one audience per browser)."""
    record = current()
    if record is not None:
        end(record, "owner-link")
    session.pop(COOKIE_KEY, None)
    g.agent_session = None
    g.pop("agent", None)


def end_all(database: Session, agent: Agent, reason: str, keep: AgentSession | None = None) -> int:
    """End every live session of `agent` (but `keep`); returns how many (the caller began
    the write transaction, see portal.database.begin_write, and commits)."""
    query = update(AgentSession).where(
        AgentSession.agent_id == agent.id, AgentSession.ended_at.is_(None)
    )
    if keep is not None:
        query = query.where(AgentSession.id != keep.id)
    moment = clock.now()
    result = database.execute(
        query.values(
            ended_at=moment, ended_reason=reason, totp_pending_secret=None
        ).execution_options(synchronize_session=False)
    )
    if result.rowcount:
        auth_event("sessions-ended", agent=agent.id, count=result.rowcount, reason=reason)
    return result.rowcount


def live_sessions(database: Session, agent: Agent) -> list[AgentSession]:
    """The agent's sessions still open, most recently used first."""
    moment = clock.now()
    return list(
        database.scalars(
            select(AgentSession)
            .where(
                AgentSession.agent_id == agent.id,
                AgentSession.ended_at.is_(None),
                AgentSession.expires_at > moment,
                AgentSession.last_seen_at > moment - idle_limit(),
            )
            .order_by(AgentSession.last_seen_at.desc(), AgentSession.id.desc())
        )
    )


# Browser and system names, most specific first (Edge and Opera also say "Chrome").
BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iOS"),
    ("iPad", "iPadOS"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


def device_label(user_agent: str) -> str:
    """A short label for the account page ("Firefox, Linux"), never the full header."""
    browser = next((name for mark, name in BROWSERS if mark in user_agent), None)
    system = next((name for mark, name in SYSTEMS if mark in user_agent), None)
    label = ", ".join(part for part in (browser, system) if part)
    if not label:
        label = re.sub(r"[^\w./ -]", "", user_agent.split(" ")[0])
    return label[:60]
