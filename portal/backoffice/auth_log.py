"""The authentication log (ASVS 5.0.0 16.3.1, 16.3.2): one line per event, on the
`portal.auth` logger, with the time in UTC written in the line itself (whatever the
handler's format), who (`agent=<id>`, or `account=<prefix of the e-mail's HMAC>` when the
address may be unknown) and what happened. Never a password, a code, a token or an e-mail
address in clear; values are stripped of line breaks (no log injection, 16.4.1).

Events: login-success, login-failure, login-locked (the failure that locks), login-refused
(an attempt while locked), mfa-success, mfa-failure, session-ended, sessions-ended,
reset-requested, reset-done, reset-refused, totp-enrolled, totp-reset, agent-disabled,
agent-enabled, access-denied.
"""

from __future__ import annotations

import logging

from portal import clock

log = logging.getLogger("portal.auth")


def auth_event(event: str, **fields: object) -> None:
    at = clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")
    details = " ".join(f"{name}={_clean(value)}" for name, value in fields.items())
    alarming = event.endswith(("failure", "locked", "refused", "denied"))
    level = logging.WARNING if alarming else logging.INFO
    log.log(level, "auth %s at=%s %s", event, at, details)


def _clean(value: object) -> str:
    return str(value).replace("\r", "\\r").replace("\n", "\\n").replace(" ", "_")[:80]
