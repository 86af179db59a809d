"""The global alert on failed owner lookups (all addresses together), in the database store
and, when a Redis answers, in Redis: counting, baseline and floor, one e-mail per hour
whatever the number of workers, purge, and `portal security lookups`."""

from __future__ import annotations

import logging
import re
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal import clock as portal_clock
from portal import create_app
from portal.config import ConfigurationError, DevelopmentConfig
from portal.letters.codes import new_code, new_token
from portal.models import LookupFailureHour, OutboxMessage
from tests.builders import make_letter
from tests.conftest import PageClient, csrf_token
from tests.owner.test_rate_limit import REDIS_URL, redis_or_skip

NOW = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)  # 10:30 in Paris
HOUR = NOW.replace(minute=0)
RECIPIENT = "securite@portail.example"
# Threshold 2 × max(baseline, 3) = 6 failures in one hour on a new portal.
SETTINGS = {"LOOKUP_ALERT_FACTOR": 2, "LOOKUP_ALERT_MIN_PER_HOUR": 3,
            "SECURITY_ALERT_EMAIL": RECIPIENT}  # fmt: skip


@dataclass
class Store:
    kind: str
    server: object = None
    prefix: str = ""


@pytest.fixture(params=["database", "redis"])
def store(request):
    if request.param == "database":
        yield Store("database")
        return
    server = redis_or_skip()
    prefix = f"portal-test-{uuid.uuid4().hex}"
    yield Store("redis", server, prefix)
    for key in server.keys(f"{prefix}:*"):
        server.delete(key)
    server.close()


@pytest.fixture
def make_app(app, database_url, store):
    """Apps on the same stores: each one is a worker with its own caches. (Asking for
    `app` empties the database after the test.)"""
    apps = []

    def make(**settings):
        settings = {**SETTINGS, **settings}
        if store.kind == "redis":
            settings |= {"REDIS_URL": REDIS_URL, "RATE_LIMIT_KEY_PREFIX": store.prefix}
        apps.append(create_app("test", DATABASE_URL=database_url, **settings))
        return apps[-1]

    yield make
    for app in apps:
        app.extensions["database"].dispose()


@pytest.fixture
def clock(monkeypatch):
    moments = [NOW]
    monkeypatch.setattr(portal_clock, "now", lambda: moments[-1])
    return moments


def fail(client, times: int, first: int = 0) -> list[int]:
    """Failed QR-link lookups, each from a different address (a botnet)."""
    return [client.get(f"/l/{new_token()}", environ_base={"REMOTE_ADDR": address(n)}).status_code
            for n in range(first, first + times)]  # fmt: skip


def address(n: int) -> str:
    return f"10.9.{n // 200}.{n % 200 + 1}"


def seed(app, store: Store, hour: datetime, failures: int, alerted: bool = False) -> None:
    """Past hours, as the counters would have left them."""
    if store.kind == "redis":
        hours = app.extensions["lookup_alert"].hours
        store.server.set(hours.key("failures", hour), failures, ex=3600 * 200)
        if alerted:
            store.server.set(hours.key("alert", hour), "1", ex=3600 * 200)
        return
    with Session(app.extensions["database"]) as session:
        session.add(LookupFailureHour(hour_start=hour, failures=failures,
                                      alerted_at=hour if alerted else None))  # fmt: skip
        session.commit()


def stored_failures(app, store: Store, hour: datetime = HOUR) -> int | None:
    if store.kind == "redis":
        value = store.server.get(app.extensions["lookup_alert"].hours.key("failures", hour))
        return None if value is None else int(value)
    with Session(app.extensions["database"]) as session:
        row = session.get(LookupFailureHour, hour)
        return None if row is None else row.failures


def outbox(app) -> list[OutboxMessage]:
    with Session(app.extensions["database"]) as session:
        return list(session.scalars(select(OutboxMessage)))


def alert_logs(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == "portal.lookup_alert" and "failed lookups" in r.getMessage()]  # fmt: skip


def test_failures_from_every_address_and_both_routes_add_up(make_app, store, clock):
    app = make_app(LOOKUP_ALERT_MIN_PER_HOUR=1000)
    client = PageClient(app.test_client())
    assert fail(client, 12) == [404] * 12
    for n in range(3):  # typed codes, from three other addresses
        environ = {"REMOTE_ADDR": f"192.0.2.{n + 1}"}
        token = csrf_token(client, "/code")
        for _ in range(2):
            response = client.post("/code", data={"code": new_code(), "csrf_token": token},
                                   environ_base=environ)  # fmt: skip
            assert response.status_code == 400
    assert stored_failures(app, store) == 18
    clock.append(NOW + timedelta(hours=1))
    fail(client, 2)
    assert stored_failures(app, store) == 18
    assert stored_failures(app, store, HOUR + timedelta(hours=1)) == 2


def test_successes_are_not_counted(make_app, store, clock, session):
    _letter, token, _code = make_letter(session)
    session.commit()
    app = make_app()
    client = app.test_client()
    for _ in range(10):
        assert client.get(f"/l/{token}").status_code == 303
    assert stored_failures(app, store) is None


def test_no_alert_up_to_the_threshold_then_exactly_one_email(make_app, store, clock, caplog):
    caplog.set_level(logging.WARNING)
    app = make_app()
    client = PageClient(app.test_client())
    fail(client, 6)
    assert outbox(app) == []
    assert alert_logs(caplog) == []
    fail(client, 1, first=6)
    assert [m.recipient for m in outbox(app)] == [RECIPIENT]
    app.extensions["lookup_alert"]._mark_tried_for = None  # as if each failure tried again
    for n in range(7, 40):
        fail(client, 1, first=n)
        app.extensions["lookup_alert"]._mark_tried_for = None
    assert len(outbox(app)) == 1
    assert len(alert_logs(caplog)) == 1
    assert "7 failed lookups" in alert_logs(caplog)[0]
    assert not re.search(r"10\.9\.|/l/", caplog.text)  # no address, no token in the log
    clock.append(NOW + timedelta(hours=1))  # a new hour can alert again
    fail(client, 7)
    assert len(outbox(app)) == 2


def test_the_email_says_what_happened_and_what_to_do(make_app, store, clock):
    app = make_app()
    seed(app, store, HOUR - timedelta(hours=1), 336)  # a mean of 2 per hour over a week
    client = PageClient(app.test_client())
    with client.session_transaction() as browser:
        browser["lang"] = "en"  # the visitor's language is not the operator's
    fail(client, 7)
    (message,) = outbox(app)
    assert message.body.startswith("Bonjour,\n\nLe portail http://portal.test a refusé")
    assert message.subject == "Alerte de sécurité\u00a0: 7\u00a0liens ou codes refusés en une heure"
    body = message.body
    assert "refusé 7\u00a0liens de QR code ou codes saisis" in body
    assert "le mardi 24\u00a0novembre\u00a02026 entre 10:00 et 11:00 (heure de Paris)" in body
    assert "il en refuse 2\u00a0par heure (moyenne des 168\u00a0heures précédentes)" in body
    assert "Le seuil d’alerte est de 6\u00a0par heure\u00a0: 2\u00a0fois" in body
    assert "CODE_FAILURE_LIMITS" in body and "portal security lookups" in body
    assert "http://portal.test" in body
    assert "10.9." not in body


@pytest.mark.parametrize("threads", [8])
def test_several_workers_crossing_together_send_one_email(make_app, store, clock, caplog, threads):
    caplog.set_level(logging.WARNING)
    apps = [make_app() for _ in range(threads)]
    barrier, statuses, errors = threading.Barrier(threads), [], []

    def worker(n: int) -> None:
        try:
            client = apps[n].test_client()
            barrier.wait()
            statuses.extend(fail(client, 10, first=10 * n))
        except BaseException as error:  # reported below
            errors.append(error)

    running = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for thread in running:
        thread.start()
    for thread in running:
        thread.join(timeout=60)
    assert errors == []
    assert statuses == [404] * 10 * threads
    assert stored_failures(apps[0], store) == 10 * threads  # no increment lost
    assert len(outbox(apps[0])) == 1
    assert len(alert_logs(caplog)) == 1


def test_the_alert_mark_is_set_once_when_every_worker_tries_at_once(make_app, store, clock):
    apps = [make_app() for _ in range(8)]
    fail(apps[0].test_client(), 1)
    barrier, errors = threading.Barrier(len(apps)), []

    def worker(app) -> None:
        try:
            with app.app_context():
                barrier.wait()
                app.extensions["lookup_alert"].check(NOW, 1_000_000)
        except BaseException as error:  # reported below
            errors.append(error)

    running = [threading.Thread(target=worker, args=(app,)) for app in apps]
    for thread in running:
        thread.start()
    for thread in running:
        thread.join(timeout=60)
    assert errors == []
    assert len(outbox(apps[0])) == 1


def test_the_floor_keeps_a_quiet_portal_quiet(make_app, store, clock):
    app = make_app(LOOKUP_ALERT_MIN_PER_HOUR=4)  # threshold 2 × max(1, 4) = 8, not 2
    for hours_ago in range(1, 169):
        seed(app, store, HOUR - timedelta(hours=hours_ago), 1)
    client = PageClient(app.test_client())
    fail(client, 8)
    assert outbox(app) == []
    fail(client, 1, first=8)
    assert len(outbox(app)) == 1


def test_the_baseline_is_the_mean_of_the_window_without_alerted_hours(make_app, store, clock):
    app = make_app(LOOKUP_ALERT_MIN_PER_HOUR=1)
    for hours_ago in range(1, 169):
        if hours_ago == 5:  # an attack, left out
            seed(app, store, HOUR - timedelta(hours=hours_ago), 5000, alerted=True)
        else:
            seed(app, store, HOUR - timedelta(hours=hours_ago), 10)
    seed(app, store, HOUR - timedelta(hours=169), 100_000)  # out of the window
    client = PageClient(app.test_client())
    fail(client, 20)  # threshold 2 × 10
    assert outbox(app) == []
    fail(client, 1, first=20)
    (message,) = outbox(app)
    assert "il en refuse 10\u00a0par heure" in message.body
    assert "seuil d’alerte est de 20\u00a0par heure" in message.body


def test_without_a_recipient_the_alert_is_only_logged(make_app, store, clock, caplog):
    caplog.set_level(logging.WARNING)
    app = make_app(SECURITY_ALERT_EMAIL=None)
    client = PageClient(app.test_client())
    fail(client, 7)
    clock.append(NOW + timedelta(hours=1))
    fail(client, 7, first=7)
    assert outbox(app) == []
    assert len(alert_logs(caplog)) == 2
    assert caplog.text.count("SECURITY_ALERT_EMAIL is not set") == 1


def test_old_hours_are_purged_beyond_the_window(make_app, store, clock):
    if store.kind == "redis":
        app = make_app()
        fail(PageClient(app.test_client()), 7)
        hours = app.extensions["lookup_alert"].hours
        for kind in ("failures", "alert"):
            ttl = store.server.ttl(hours.key(kind, HOUR))
            assert (168 + 1) * 3600 < ttl <= (168 + 2) * 3600
        return
    app = make_app(LOOKUP_ALERT_BASELINE_HOURS=48)
    for hours_ago in (49, 48, 47):
        seed(app, store, HOUR - timedelta(hours=hours_ago), 1)
    fail(PageClient(app.test_client()), 1)
    with Session(app.extensions["database"]) as session:
        kept = session.scalars(select(LookupFailureHour.hour_start)).all()
    assert sorted(kept) == [HOUR - timedelta(hours=48), HOUR - timedelta(hours=47), HOUR]


def test_the_last_24_hours_are_kept_even_with_a_shorter_window(make_app, store, clock):
    if store.kind == "redis":
        pytest.skip("Redis keys expire by themselves")
    app = make_app(LOOKUP_ALERT_BASELINE_HOURS=2)
    seed(app, store, HOUR - timedelta(hours=23), 1)
    seed(app, store, HOUR - timedelta(hours=25), 1)
    fail(PageClient(app.test_client()), 1)
    with Session(app.extensions["database"]) as session:
        assert session.scalar(select(func.count()).select_from(LookupFailureHour)) == 2


def test_the_command_prints_the_last_24_hours_and_the_threshold(make_app, store, clock):
    app = make_app(LOOKUP_ALERT_FACTOR=5, LOOKUP_ALERT_MIN_PER_HOUR=50)
    seed(app, store, HOUR - timedelta(hours=1), 12)
    seed(app, store, HOUR - timedelta(hours=3), 400, alerted=True)
    seed(app, store, HOUR - timedelta(hours=30), 1664)  # in the baseline, not shown
    fail(PageClient(app.test_client()), 7)
    result = app.test_cli_runner().invoke(args=["security", "lookups"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    rows = [line for line in lines if re.match(r"  \d{4}-", line)]
    assert len(rows) == 24
    assert rows[0].split() == ["2026-11-23", "10:00", "11:00", "0"]
    assert rows[-4].split() == ["2026-11-24", "06:00", "07:00", "400", "alert", "raised"]
    assert rows[-2].split() == ["2026-11-24", "08:00", "09:00", "12"]
    assert rows[-1].split() == ["2026-11-24", "09:00", "10:00", "7"]
    assert "Baseline: 10.0 per hour (mean of the 168 hours" in result.output  # (12+1664)/167
    assert "Threshold: 250.0 failures in one hour = 5 x max(baseline, floor 50)." in lines
    assert "Current hour: 7 failures, under the threshold." in lines
    assert f"Alert e-mails to: {RECIPIENT}" in lines


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("SECURITY_ALERT_EMAIL", "rssi@collectivite.example")
    monkeypatch.setenv("LOOKUP_ALERT_FACTOR", "4")
    monkeypatch.setenv("LOOKUP_ALERT_MIN_PER_HOUR", "20")
    monkeypatch.setenv("LOOKUP_ALERT_BASELINE_HOURS", "72")
    config = DevelopmentConfig()
    assert config.SECURITY_ALERT_EMAIL == "rssi@collectivite.example"
    assert (config.LOOKUP_ALERT_FACTOR, config.LOOKUP_ALERT_MIN_PER_HOUR) == (4, 20)
    assert config.LOOKUP_ALERT_BASELINE_HOURS == 72
    monkeypatch.delenv("SECURITY_ALERT_EMAIL")
    monkeypatch.delenv("LOOKUP_ALERT_FACTOR")
    defaults = DevelopmentConfig()
    assert defaults.SECURITY_ALERT_EMAIL is None
    assert defaults.LOOKUP_ALERT_FACTOR == 5


@pytest.mark.parametrize(
    ("name", "value"),
    [("LOOKUP_ALERT_FACTOR", 1), ("LOOKUP_ALERT_MIN_PER_HOUR", 0),
     ("LOOKUP_ALERT_BASELINE_HOURS", "a week")],
)  # fmt: skip
def test_unusable_settings_are_refused_at_start_up(database_url, name, value):
    with pytest.raises(ConfigurationError, match=name):
        create_app("test", DATABASE_URL=database_url, **{name: value})
