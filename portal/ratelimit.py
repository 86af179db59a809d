"""Rate limits on failed attempts per client address, shared by every worker: typed codes
(scope "code") and agents' sign-ins (scope "login", `AGENT_LOGIN_ADDRESS_LIMITS`, by
default "20 per 15 minutes; 60 per hour": one address trying many e-mail addresses, which
the per-address lock-out of portal.backoffice.lockout cannot see).

Only failures count: a refused code (a typo caught by the check character, a wrong length,
a well-formed code that opens no letter). While an address is over one of the limits
(`CODE_FAILURE_LIMITS`, by default "10 per 15 minutes; 30 per hour", in the `limits`
library's notation), every code attempt from it, even a right one, gets the 429 page with
a `Retry-After` header. Blocked attempts are not counted: the block lifts as the oldest
failures leave their window (a moving window).

The counters are shared by all workers:
- with `REDIS_URL` set (a national deployment), in Redis, through the `limits` library
  (what Flask-Limiter is built on), moving-window strategy, keys under
  `RATE_LIMIT_KEY_PREFIX` ("portal" by default);
- otherwise in the database (table `rate_limit_hit`, one row per failure), which every
  worker of a one-machine deployment shares; rows older than the longest window are purged.

Every failure is also counted for all addresses together, per hour, in the same store:
a botnet keeps each address under its limits, only the total shows it (the global alert of
portal/lookup_alert.py).

A storage failure (Redis or the database down) is an error (500), never a silent pass.

The client is `request.remote_addr`. Behind a reverse proxy, set `PROXY_FIX_X_FOR` to the
exact number of proxies in front of the portal: werkzeug's ProxyFix then takes the address
from that many hops of `X-Forwarded-For` (ASVS 15.3.4). Never set it without a proxy that
overwrites the header, or a client could choose its own address. An IPv6 client is counted
per /64 network (one subscriber's allocation), or changing address would reset its counters.
The address is never stored: the key is an HMAC of it keyed from SECRET_KEY.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import math
import time
from datetime import datetime, timedelta

from flask import Flask, current_app, request
from limits import RateLimitItem, parse_many
from sqlalchemy import delete, select
from werkzeug.exceptions import TooManyRequests
from werkzeug.middleware.proxy_fix import ProxyFix

from portal import clock
from portal.config import ConfigurationError, env_int, env_str
from portal.database import begin_write
from portal.extensions import db
from portal.lookup_alert import init_lookup_alert
from portal.models import RateLimitHit

log = logging.getLogger(__name__)

DEFAULT_CODE_FAILURE_LIMITS = "10 per 15 minutes; 30 per hour"
# Failed agent sign-ins per address, whatever the e-mail typed (credential stuffing).
DEFAULT_LOGIN_ADDRESS_LIMITS = "20 per 15 minutes; 60 per hour"
DEFAULT_KEY_PREFIX = "portal"
# The database store deletes expired rows at most this often (per worker).
PURGE_EVERY = timedelta(minutes=1)


def init_rate_limits(app: Flask) -> None:
    """Read the limits, choose the store, trust the proxy hops."""
    limits = _limits(app, "CODE_FAILURE_LIMITS", DEFAULT_CODE_FAILURE_LIMITS)
    login_limits = _limits(app, "AGENT_LOGIN_ADDRESS_LIMITS", DEFAULT_LOGIN_ADDRESS_LIMITS)
    redis_url = app.config.get("REDIS_URL")
    prefix = _setting(app, "RATE_LIMIT_KEY_PREFIX", DEFAULT_KEY_PREFIX)
    if redis_url:
        store: RedisStore | DatabaseStore = RedisStore(redis_url, prefix)
    else:
        # One table for every scope: rows are kept for the longest window of them all.
        store = DatabaseStore(keep=max(_longest(limits), _longest(login_limits)))
    # Failed lookups are also counted for all addresses together (the botnet alert).
    alert = app.extensions["lookup_alert"] = init_lookup_alert(app, redis_url, prefix)
    app.extensions["rate_limits"] = {
        "code": AttemptLimiter("code", limits, store, alert),
        "login": AttemptLimiter("login", login_limits, store),
    }

    hops = app.config.get("PROXY_FIX_X_FOR")
    hops = env_int("PROXY_FIX_X_FOR", 0) if hops is None else int(hops)
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops)  # type: ignore[method-assign]


def _limits(app: Flask, name: str, default: str) -> list[RateLimitItem]:
    limits_string = _setting(app, name, default)
    try:
        return parse_many(limits_string)
    except ValueError:
        raise ConfigurationError(
            f"{name}={limits_string!r} is not a list of limits such as {default!r}."
        ) from None


def _longest(limits: list[RateLimitItem]) -> timedelta:
    return timedelta(seconds=max(item.get_expiry() for item in limits))


def _setting(app: Flask, name: str, default: str) -> str:
    value = app.config.get(name)
    return value if value else env_str(name, default)  # type: ignore[return-value]


# What the owner views call.


def code_attempts_blocked() -> int | None:
    """Seconds the current client must wait before trying a code again, or None."""
    return _limiter("code").blocked()


def record_failed_code_attempt() -> None:
    """Count a refused code against the current client (commits the request's session)."""
    _limiter("code").record_failure()


def refuse_blocked_code_attempt() -> None:
    """Abort with 429 (the errors/429.html page and `Retry-After`) while over a limit."""
    _limiter("code").refuse_if_blocked()


# What the back-office sign-in calls.


def refuse_blocked_login_attempt() -> None:
    """Abort with 429 while the current client is over the sign-in failure limits."""
    _limiter("login").refuse_if_blocked()


def record_failed_login_attempt() -> None:
    """Count a failed sign-in against the current client (commits the request's session)."""
    _limiter("login").record_failure()


def _limiter(scope: str) -> AttemptLimiter:
    return current_app.extensions["rate_limits"][scope]


def client_address() -> str:
    """The address the limits apply to: IPv4 as is, IPv6 as its /64 network."""
    raw = request.remote_addr or "unknown"
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return raw
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{address}/64", strict=False))
    return str(address)


class AttemptLimiter:
    """Limits on failed attempts of one kind (`scope`), per client address; with an
    `alert` (portal.lookup_alert), each failure is also counted for all addresses."""

    def __init__(self, scope: str, limits: list[RateLimitItem], store, alert=None) -> None:
        self.scope = scope
        self.limits = limits
        self.store = store
        self.alert = alert

    def key(self) -> str:
        secret = current_app.config["SECRET_KEY"].encode()
        pepper = hashlib.sha256(b"rate-limit:" + secret).digest()
        message = f"{self.scope}\n{client_address()}".encode()
        return hmac.new(pepper, message, hashlib.sha256).hexdigest()

    def blocked(self) -> int | None:
        return self.store.wait(self.key(), self.limits)

    def record_failure(self) -> None:
        if self.alert is None:
            self.store.hit(self.key(), self.limits)
            return
        moment, failures = self.store.hit(self.key(), self.limits, also=self.alert.count)
        self.alert.check(moment, failures)

    def refuse_if_blocked(self) -> None:
        wait = self.blocked()
        if wait is None:
            return
        log.warning(
            "rate limit: %s attempt refused for client %s, retry after %ss",
            self.scope,
            self.key()[:12],
            wait,
        )
        raise TooManyRequests(retry_after=wait)  # the 429 page, with Retry-After


class DatabaseStore:
    """One `rate_limit_hit` row per failure, counted in moving windows."""

    def __init__(self, keep: timedelta | None = None) -> None:
        self._next_purge: datetime | None = None
        self.keep = keep  # rows younger than this are never purged (all scopes' windows)

    def wait(self, key: str, limits: list[RateLimitItem]) -> int | None:
        moment = clock.now()
        longest = timedelta(seconds=max(item.get_expiry() for item in limits))
        # Newest first, no more than the largest limit needs.
        times = db.session.scalars(
            select(RateLimitHit.created_at)
            .where(RateLimitHit.key == key, RateLimitHit.created_at > moment - longest)
            .order_by(RateLimitHit.created_at.desc())
            .limit(max(item.amount for item in limits))
        ).all()
        waits = []
        for item in limits:
            window = timedelta(seconds=item.get_expiry())
            recent = [time for time in times if time > moment - window]
            if len(recent) >= item.amount:
                # Free again when the amount-th newest failure leaves the window.
                waits.append(_seconds(recent[item.amount - 1] + window - moment))
        return max(waits) if waits else None

    def hit(self, key: str, limits: list[RateLimitItem], also=None):
        """Record a failure; `also(moment)` (the global hourly count) runs last in the same
        transaction, so its row is locked only until the commit; returns what it returns."""
        session = db.session()
        # A write transaction from the start: on SQLite (WAL) a write in a transaction
        # that read first fails at once ("database is locked") instead of waiting.
        begin_write(session, reload=False)
        moment = clock.now()
        session.add(RateLimitHit(key=key, created_at=moment))
        if self._next_purge is None or moment >= self._next_purge:
            longest = max(_longest(limits), self.keep or timedelta(0))
            session.execute(delete(RateLimitHit).where(RateLimitHit.created_at < moment - longest))
            self._next_purge = moment + PURGE_EVERY
        counted = also(moment) if also is not None else None
        session.commit()
        return counted


class RedisStore:
    """The `limits` library's moving windows in Redis (shared by all app servers)."""

    def __init__(self, url: str, prefix: str) -> None:
        from limits.storage import storage_from_string
        from limits.strategies import MovingWindowRateLimiter

        # Short timeouts: a Redis that does not answer is an error, not a hung worker.
        self.storage = storage_from_string(
            url, key_prefix=prefix, socket_connect_timeout=2, socket_timeout=2
        )
        self.limiter = MovingWindowRateLimiter(self.storage)

    def wait(self, key: str, limits: list[RateLimitItem]) -> int | None:
        waits = []
        for item in limits:
            if not self.limiter.test(item, key):
                reset_at = self.limiter.get_window_stats(item, key).reset_time
                waits.append(_seconds(timedelta(seconds=reset_at - time.time())))
        return max(waits) if waits else None

    def hit(self, key: str, limits: list[RateLimitItem], also=None):
        for item in limits:
            self.limiter.hit(item, key)
        return also(clock.now()) if also is not None else None


def _seconds(delta: timedelta) -> int:
    """Whole seconds to wait, at least one."""
    return max(1, math.ceil(delta.total_seconds()))
