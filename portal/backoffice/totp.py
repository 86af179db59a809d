"""The second factor: TOTP codes (RFC 6238) from an authenticator application (pyotp).

- The secret is 160 bits, shown as text and as a QR code (segno, served as SVG by our own
  route: no third party, no inline style) while it is being enrolled, and stored nowhere
  until the agent types a right code; only then is it the agent's (`Agent.totp_secret`,
  `totp_confirmed_at`). Until then it is derived for the session (`enrolment_secret`: an
  HMAC, keyed from SECRET_KEY, of the session record and its current token's hash), so
  that showing the enrolment page and its QR code writes nothing, and the secret changes
  with the token (a new one once the second factor is passed). Never in a URL or a log.
- Codes are 6 digits, 30-second steps; the step before and the step after are accepted
  (a phone's clock a little off, a code typed as it changes), nothing wider.
- A code is used once: the last accepted step is stored and any step up to it is refused,
  so a code seen over a shoulder or replayed from a log is worth nothing (ASVS 6.5.1).
- Wrong codes count against the sign-in lock-out of the agent's address
  (portal.backoffice.lockout), like wrong passwords.
- `AGENT_TOTP_REQUIRED` (always on in production, off in development and tests): every
  agent must enrol before reaching the back-office. An agent who enrolled is asked the
  code at every sign-in whatever the setting; a password reset never skips it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io

import pyotp
import segno
from flask import current_app
from sqlalchemy import or_, update
from sqlalchemy.orm import Session

from portal import clock
from portal.database import begin_write
from portal.models import Agent, AgentSession

STEP_SECONDS = 30
DIGITS = 6
VALID_WINDOW = 1  # steps accepted on each side of the current one
ISSUER = "Portail propriétaires"


def new_secret() -> str:
    return pyotp.random_base32()  # 32 base32 characters: 160 bits (tests, fixtures)


def enrolment_secret(record: AgentSession) -> str:
    """The secret this session offers to enrol (32 base32 characters: 160 bits)."""
    pepper = hashlib.sha256(b"totp-enrolment:" + current_app.config["SECRET_KEY"].encode())
    message = f"{record.id}\n{record.agent_id}\n{record.token_hash}".encode()
    digest = hmac.new(pepper.digest(), message, hashlib.sha256).digest()
    return base64.b32encode(digest[:20]).decode()


def grouped(secret: str) -> str:
    """The secret as typed by hand: groups of four characters."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=email, issuer_name=ISSUER
    )


def qr_svg(uri: str) -> bytes:
    """The enrolment QR code as an SVG document (black on white, also in dark mode)."""
    buffer = io.BytesIO()
    segno.make(uri, error="m").save(
        buffer, kind="svg", scale=5, border=4, dark="#000", light="#fff"
    )
    return buffer.getvalue()


def current_step() -> int:
    return int(clock.now().timestamp()) // STEP_SECONDS


def code_at(secret: str, step: int) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).generate_otp(step)


def normalise_code(code: str) -> str:
    return "".join((code or "").split())


def matching_step(secret: str, code: str, last_step: int | None) -> int | None:
    """The time step whose code is `code` (within the window, after `last_step`), or None."""
    code = normalise_code(code)
    if len(code) != DIGITS or not code.isdigit():
        return None
    now_step = current_step()
    for step in range(now_step - VALID_WINDOW, now_step + VALID_WINDOW + 1):
        if last_step is not None and step <= last_step:
            continue  # already used, or older than a code already used
        if hmac.compare_digest(code_at(secret, step), code):
            return step
    return None


def check_agent_code(database: Session, agent: Agent, code: str) -> bool:
    """True if `code` is the agent's current code, used for the first time (commits).

    The step is recorded with a conditional UPDATE, so two requests racing with the same
    code cannot both pass."""
    if not agent.has_totp:
        return False
    step = matching_step(agent.totp_secret, code, agent.totp_last_step)
    if step is None:
        return False
    not_used_yet = or_(Agent.totp_last_step.is_(None), Agent.totp_last_step < step)
    begin_write(database, reload=False)  # the UPDATE's condition rereads what it needs
    claimed = database.execute(
        update(Agent)
        .where(Agent.id == agent.id, not_used_yet)
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    ).rowcount
    database.commit()
    agent.totp_last_step = step
    return bool(claimed)


def confirm_enrolment(agent: Agent, secret: str, code: str) -> bool:
    """Make `secret` the agent's if `code` matches it (the caller commits)."""
    step = matching_step(secret, code, None)
    if step is None:
        return False
    agent.totp_secret, agent.totp_confirmed_at, agent.totp_last_step = secret, clock.now(), step
    return True


def reset(agent: Agent) -> None:
    """Forget the agent's second factor (lost phone): they enrol again at next sign-in."""
    agent.totp_secret = agent.totp_confirmed_at = agent.totp_last_step = None
