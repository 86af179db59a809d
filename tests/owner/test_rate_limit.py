"""Failed typed codes are limited per client address: 10 per 15 minutes, 30 per hour."""

from __future__ import annotations

import os
import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from portal import clock as portal_clock
from portal import create_app, ratelimit
from portal.config import ConfigurationError
from portal.extensions import db
from portal.letters.codes import format_code, new_code
from portal.models import RateLimitHit
from tests.builders import make_letter
from tests.conftest import PageClient, csrf_token

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
OTHER = "10.0.0.2"


@pytest.fixture(autouse=True)
def _database_store(app):
    if not isinstance(app.extensions["rate_limits"]["code"].store, ratelimit.DatabaseStore):
        pytest.skip("REDIS_URL is set in the environment: these tests are for the database store")


@pytest.fixture
def letter(session):
    letter, _token, code = make_letter(session)
    session.commit()
    return letter, code


class Clock:
    def __init__(self) -> None:
        self.time = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.time

    def advance(self, **delta) -> None:
        self.time += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(portal_clock, "now", clock)
    return clock


class Owner:
    """A browser at one address, posting to /code with its CSRF token."""

    def __init__(self, client, address: str = "127.0.0.1") -> None:
        self.client = client
        self.environ = {"REMOTE_ADDR": address}
        self.token = csrf_token(client, "/code")

    def post(self, typed: str, **kwargs):
        data = {"code": typed, "csrf_token": self.token}
        return self.client.post("/code", data=data, environ_base=self.environ, **kwargs)

    def fail(self, times: int = 1) -> list[int]:
        return [self.post(new_code()).status_code for _ in range(times)]


def a_typo(code: str) -> str:
    return ("1" if code[3] != "1" else "2").join([code[:3], code[4:]])


def assert_blocked(response, at_most: int) -> None:
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= at_most
    html = response.get_data(as_text=True)
    assert "Trop de tentatives" in html
    assert "patientez quelques minutes" in html


def test_the_eleventh_failure_in_15_minutes_gets_429(client, clock):
    owner = Owner(client)
    assert owner.fail(10) == [400] * 10
    response = owner.post(new_code())
    assert_blocked(response, 15 * 60)
    assert response.headers["Retry-After"] == str(15 * 60)
    clock.advance(minutes=5)
    assert owner.post(new_code()).headers["Retry-After"] == str(10 * 60)


def test_a_right_code_is_refused_while_blocked(client, clock, letter):
    _letter, code = letter
    owner = Owner(client)
    owner.fail(10)
    assert_blocked(owner.post(format_code(code)), 15 * 60)
    assert client.get("/mon-logement").status_code == 404  # no letter opened


def test_typos_caught_by_the_check_character_count(client, clock, letter):
    _letter, code = letter
    owner = Owner(client)
    for _ in range(10):
        response = owner.post(a_typo(code))
        assert response.status_code == 400
        assert "Code mal saisi" in response.get_data(as_text=True)
    assert owner.post(a_typo(code)).status_code == 429


def test_blank_submissions_do_not_count(client, clock):
    owner = Owner(client)
    assert [owner.post("  ").status_code for _ in range(12)] == [400] * 12
    assert owner.fail(1) == [400]


def test_the_form_still_shows_while_blocked(client, clock):
    owner = Owner(client)
    owner.fail(10)
    assert client.get("/code", environ_base=owner.environ).status_code == 200


def test_another_address_is_not_blocked(client, clock, letter):
    _letter, code = letter
    Owner(client).fail(11)
    other = Owner(client, OTHER)
    assert other.fail(1) == [400]
    assert other.post(format_code(code)).status_code == 303


def test_attempts_are_allowed_again_when_the_window_has_passed(client, clock, letter):
    _letter, code = letter
    owner = Owner(client)
    owner.fail(10)
    clock.advance(minutes=14, seconds=59)
    assert owner.post(new_code()).status_code == 429
    clock.advance(seconds=2)
    assert owner.post(format_code(code)).status_code == 303


def test_the_window_moves_with_each_failure(client, clock):
    owner = Owner(client)
    owner.fail(5)
    clock.advance(minutes=10)
    owner.fail(5)
    assert owner.post(new_code()).headers["Retry-After"] == str(5 * 60)
    clock.advance(minutes=5, seconds=1)
    # The first five left the window, the last five are still in it.
    assert owner.fail(5) == [400] * 5
    assert owner.post(new_code()).status_code == 429


def test_30_failures_an_hour_block_across_windows(client, clock):
    owner = Owner(client)
    for _ in range(3):
        assert owner.fail(10) == [400] * 10
        assert owner.post(new_code()).status_code == 429
        clock.advance(minutes=15, seconds=1)
    # 45 minutes on: the 15-minute window is empty but the hour holds 30 failures.
    response = owner.post(new_code())
    assert_blocked(response, 15 * 60)
    assert int(response.headers["Retry-After"]) == 15 * 60 - 3
    clock.advance(minutes=15)
    assert owner.fail(1) == [400]


def test_successes_do_not_count(client, clock, letter):
    _letter, code = letter
    owner = Owner(client)
    owner.fail(9)
    for _ in range(20):
        assert owner.post(format_code(code)).status_code == 303
    assert owner.fail(1) == [400]
    assert owner.post(new_code()).status_code == 429


def test_blocked_attempts_are_not_counted(client, clock, session):
    owner = Owner(client)
    owner.fail(10)
    for _ in range(5):
        owner.post(new_code())
    assert session.scalar(select(func.count()).select_from(RateLimitHit)) == 10


def test_the_address_is_stored_as_a_keyed_hash_and_old_rows_are_purged(app, client, clock, session):
    Owner(client).fail(3)
    keys = set(session.scalars(select(RateLimitHit.key)))
    assert len(keys) == 1
    (key,) = keys
    assert len(key) == 64
    assert "127.0.0.1" not in key
    clock.advance(hours=1, seconds=1)
    app.extensions["rate_limits"]["code"].store._next_purge = None
    Owner(client, OTHER).fail(1)
    session.rollback()  # a fresh snapshot
    remaining = list(session.scalars(select(RateLimitHit.key)))
    assert len(remaining) == 1
    assert key not in remaining


def test_a_forwarded_for_header_does_not_escape_the_limit(client, clock):
    owner = Owner(client)
    owner.fail(10)
    response = owner.post(new_code(), headers={"X-Forwarded-For": "203.0.113.9"})
    assert response.status_code == 429


def test_behind_a_trusted_proxy_the_forwarded_address_counts(database_url, clock):
    app = create_app("test", DATABASE_URL=database_url, PROXY_FIX_X_FOR=1)
    try:
        client = PageClient(app.test_client())
        proxied = Owner(client)
        for _ in range(10):
            proxied.post(new_code(), headers={"X-Forwarded-For": "203.0.113.9"})
        blocked = proxied.post(new_code(), headers={"X-Forwarded-For": "203.0.113.9"})
        assert blocked.status_code == 429
        other = proxied.post(new_code(), headers={"X-Forwarded-For": "203.0.113.10"})
        assert other.status_code == 400
    finally:
        app.extensions["database"].dispose()


@pytest.mark.parametrize(
    ("remote", "counted_as"),
    [
        ("192.0.2.7", "192.0.2.7"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),
        ("::ffff:192.0.2.7", "192.0.2.7"),
    ],
)
def test_ipv6_clients_are_counted_per_64_network(app, remote, counted_as):
    with app.test_request_context("/code", environ_base={"REMOTE_ADDR": remote}):
        assert ratelimit.client_address() == counted_as


def test_a_whole_ipv6_64_shares_one_counter(client, clock):
    for n in range(10):
        Owner(client, f"2001:db8:1:2::{n + 1:x}").fail(1)
    assert Owner(client, "2001:db8:1:2::ff").post(new_code()).status_code == 429
    assert Owner(client, "2001:db8:1:3::1").fail(1) == [400]


def test_limits_come_from_the_configuration(database_url, clock):
    app = create_app("test", DATABASE_URL=database_url, CODE_FAILURE_LIMITS="2 per minute")
    try:
        owner = Owner(PageClient(app.test_client()))
        assert owner.fail(2) == [400, 400]
        assert owner.post(new_code()).headers["Retry-After"] == "60"
    finally:
        app.extensions["database"].dispose()


def test_a_malformed_limit_is_refused_at_start_up(database_url):
    with pytest.raises(ConfigurationError, match="CODE_FAILURE_LIMITS"):
        create_app("test", DATABASE_URL=database_url, CODE_FAILURE_LIMITS="ten a minute")


def test_concurrent_failures_from_several_workers_all_get_an_answer(app):
    """Requests in parallel threads (SQLite: separate connections, WAL): no "database is
    locked" error, every failure counted."""
    statuses: list[int] = []
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            owner = Owner(app.test_client(), f"10.1.0.{n}")
            statuses.extend(owner.fail(6))
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert statuses == [400] * 48
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(RateLimitHit))
    assert count == 48


# Redis, as in production: runs when a Redis answers (always in CI).


def redis_or_skip():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Redis does not answer at {REDIS_URL} (CI needs it): {error}")
        pytest.skip(f"no Redis at {REDIS_URL}")
    return redis.Redis.from_url(REDIS_URL)


@pytest.fixture
def redis_app(database_url):
    server = redis_or_skip()
    prefix = f"portal-test-{uuid.uuid4().hex}"
    app = create_app(
        "test",
        DATABASE_URL=database_url,
        REDIS_URL=REDIS_URL,
        RATE_LIMIT_KEY_PREFIX=prefix,
        CODE_FAILURE_LIMITS="3 per 15 minutes; 5 per hour",
    )
    try:
        yield app, server, prefix
    finally:
        app.extensions["rate_limits"]["code"].store.storage.reset()
        app.extensions["database"].dispose()
        assert server.keys(f"{prefix}*") == []
        server.close()


def test_with_redis_the_counters_live_in_redis(redis_app, session, letter):
    app, server, prefix = redis_app
    _letter, code = letter
    assert isinstance(app.extensions["rate_limits"]["code"].store, ratelimit.RedisStore)
    client = PageClient(app.test_client())
    owner = Owner(client)
    assert owner.fail(3) == [400] * 3
    response = owner.post(new_code())
    assert_blocked(response, 15 * 60)
    assert int(response.headers["Retry-After"]) >= 15 * 60 - 5
    assert owner.post(format_code(code)).status_code == 429
    assert Owner(client, OTHER).post(format_code(code)).status_code == 303

    keys = [key.decode() for key in server.keys(f"{prefix}*")]
    limit_keys = [key for key in keys if ":lookup-failures:" not in key]
    assert len(limit_keys) == 2  # one per limit, for the one blocked address
    assert len(keys) == 3  # and the hour's count of failures, all addresses together
    assert not any("127.0.0.1" in key for key in keys)
    assert session.scalar(select(func.count()).select_from(RateLimitHit)) == 0
