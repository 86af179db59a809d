"""Signing in to the back-office, step by step: the password, the code of the agent's
authenticator application, and the enrolment of that application. Each step is one
function returning an `Outcome`; the views only turn an outcome into a page or a redirect.

What each step keeps, whatever the outcome (see portal.backoffice.lockout, sessions, totp):
- the password step does the same work (argon2 against a dummy hash when there is no
  usable account) and gives the same outcome, REFUSED, for an unknown address, a disabled
  account, a locked address and a wrong password: nothing tells them apart;
- every failure counts against the address typed (the lock-out) and, at the password step,
  against the client's address (the rate limit); every step writes its auth_event line;
- a new session record and token at the password, a new token once the second factor is
  passed (session fixation);
- the enrolment's secret is derived for the session (`totp.enrolment_secret`) and stored
  only once a code confirms it: showing the enrolment page writes nothing.
"""

from __future__ import annotations

from enum import StrEnum

from portal import clock
from portal.backoffice import lockout, sessions, totp
from portal.backoffice.auth import second_factor_done
from portal.backoffice.auth_log import auth_event
from portal.backoffice.queries import agent_by_email
from portal.database import begin_write
from portal.extensions import db
from portal.models import AgentSession
from portal.passwords import verify_password
from portal.ratelimit import record_failed_login_attempt


class Outcome(StrEnum):
    SIGNED_IN = "signed-in"  # the back-office is open
    NEEDS_CODE = "needs-code"  # password right; the application's code comes next
    NEEDS_ENROLMENT = "needs-enrolment"  # password right; an application must be enrolled
    REFUSED = "refused"  # the password step's only failure, whatever the reason
    WRONG_CODE = "wrong-code"
    WRONG_PASSWORD = "wrong-password"  # noqa: S105  (an outcome, at the enrolment)
    LOCKED = "locked"  # too many failures: the session is ended
    ENROLLED = "enrolled"  # a first application enrolled
    REPLACED = "replaced"  # another application replaces the agent's former one


def sign_in(email: str, password: str) -> Outcome:
    """The password step: SIGNED_IN, NEEDS_CODE or NEEDS_ENROLMENT with a new session
    (commits, sets the cookie), or REFUSED."""
    database = db.session()
    email = lockout.normalise_email(email)
    agent = agent_by_email(database, email)
    locked = lockout.is_locked(database, email)
    usable = agent is not None and agent.is_active and not locked
    # argon2 runs in every case (a dummy hash when there is no usable account), so an
    # unknown address, a locked one and a wrong password take the same time.
    right = verify_password(agent.password_hash if usable else None, password)
    agent_id = agent.id if agent is not None else None
    if right:
        begin_write(database)  # one write transaction: the lock-out, the agent, the session
        lockout.clear(database, email)
        agent.last_login_at = clock.now()
        record = sessions.start(agent)  # commits
        auth_event("login-success", agent=agent.id, session=record.id)
        if second_factor_done(record):
            return Outcome.SIGNED_IN
        return Outcome.NEEDS_CODE if agent.has_totp else Outcome.NEEDS_ENROLMENT
    if locked:
        lockout.record_refused(email, agent_id)
    else:
        lockout.record_failure(database, email, agent_id)
    record_failed_login_attempt()
    return Outcome.REFUSED


def check_code(record: AgentSession, code: str) -> Outcome:
    """The second step, for an agent with an application: SIGNED_IN (a new token),
    WRONG_CODE, or LOCKED (the failure that locks the address: the session is ended)."""
    database, agent = db.session(), record.agent
    if totp.check_agent_code(database, agent, code):
        _second_factor_passed(record)
        auth_event("mfa-success", agent=agent.id, session=record.id)
        return Outcome.SIGNED_IN
    if lockout.record_failure(database, agent.email, agent.id):
        sessions.end_current("locked")
        return Outcome.LOCKED
    auth_event("mfa-failure", agent=agent.id, session=record.id)
    return Outcome.WRONG_CODE


def enrol(record: AgentSession, password: str, code: str) -> Outcome:
    """Make the session's enrolment secret the agent's, once the password is given again
    (ASVS 7.5.1) and a code confirms it: ENROLLED or REPLACED (a new token), or
    WRONG_PASSWORD, WRONG_CODE, LOCKED (a wrong password that locks: the session is ended)."""
    database, agent = db.session(), record.agent
    if not verify_password(agent.password_hash, password):
        if lockout.record_failure(database, agent.email, agent.id):
            sessions.end_current("locked")
            return Outcome.LOCKED
        return Outcome.WRONG_PASSWORD
    replacing = agent.has_totp
    secret = totp.enrolment_secret(record)
    begin_write(database)
    if not totp.confirm_enrolment(agent, secret, code):
        database.rollback()
        return Outcome.WRONG_CODE
    _second_factor_passed(record)
    auth_event("totp-enrolled", agent=agent.id, session=record.id)
    return Outcome.REPLACED if replacing else Outcome.ENROLLED


def _second_factor_passed(record: AgentSession) -> None:
    """The second factor passed: the record says so and gets a new token (commits)."""
    begin_write(db.session())
    record.mfa_passed_at = clock.now()
    sessions.rotate(record)  # in the same write transaction
