"""The daily tasks (campaign tick, retention purge) run by the workers: due from
DAILY_TASKS_HOUR in France, claimed by one worker a day, run as a queued job."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from portal import clock, jobs
from portal.jobs import daily
from portal.jobs.worker import DailyTasks
from portal.models import AccessLog, Event, HousingOwner, Letter
from tests.builders import make_agent, make_campaign, make_collectivite, make_housing, make_owner

# 2 December 2026, 03:30 in Paris (UTC+1 in winter)
NIGHT = datetime(2026, 12, 2, 2, 30, tzinfo=UTC)
REDIS_URL = "redis://127.0.0.1:6379/15"


def test_the_day_is_due_from_the_hour_in_france():
    assert daily.due_day(NIGHT, 3) == date(2026, 12, 2)
    assert daily.due_day(NIGHT, 4) is None  # 03:30 in Paris
    assert daily.due_day(datetime(2026, 12, 1, 23, 30, tzinfo=UTC), 0) == date(2026, 12, 2)
    summer = datetime(2026, 7, 1, 1, 30, tzinfo=UTC)  # 03:30 in Paris (UTC+2)
    assert daily.due_day(summer, 3) == date(2026, 7, 1)


@pytest.fixture
def redis():
    redis = pytest.importorskip("redis")
    connection = redis.Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    connection.flushdb()
    yield connection
    connection.flushdb()


def test_one_claim_a_day_whatever_the_number_of_workers(redis):
    day = date(2026, 12, 2)
    assert daily.claim(redis, day, "worker-1") is True
    assert daily.claim(redis, day, "worker-2") is False
    assert daily.claim(redis, day, "worker-1") is False
    assert daily.claim(redis, day + timedelta(days=1), "worker-2") is True
    assert 0 < redis.ttl("portal:daily:2026-12-02") <= 3 * 86400


@pytest.fixture
def due(session):
    """A campaign whose send date is today, and an access-log line past its year."""
    town = make_collectivite(session)
    campaign = make_campaign(session, town, sent_at=date(2026, 12, 2), status="draft")
    housing, owner = make_housing(session, town), make_owner(session, town)
    session.add_all(
        [
            HousingOwner(housing=housing, owner=owner, rank=1),
            Letter(collectivite=town, campaign=campaign, housing=housing, owner=owner),
        ]
    )
    agent = make_agent(session, town)
    session.add(AccessLog(collectivite_id=town.id, agent_id=agent.id, action="view",
                          created_at=NIGHT - timedelta(days=400)))  # fmt: skip
    session.commit()
    return housing


def test_a_worker_enqueues_the_days_tasks_once_and_runs_them(app, session, due, redis,
                                                              monkeypatch):  # fmt: skip
    from rq import Queue, SimpleWorker

    class Worker(DailyTasks, SimpleWorker):  # as PortalWorker, without a fork per job
        pass

    monkeypatch.setattr(clock, "now", lambda: NIGHT)
    monkeypatch.setitem(app.config, "DAILY_TASKS_HOUR", 3)
    queue = Queue(jobs.QUEUE_NAME, connection=redis)
    with app.app_context():
        assert Worker([queue], connection=redis).work(burst=True) is True  # enqueued, run
        assert Worker([queue], connection=redis).work(burst=True) is False  # claimed already

    session.rollback()
    session.expire_all()
    assert due.status == "waiting"  # the campaign's send date was reached
    assert session.scalar(select(func.count()).select_from(AccessLog)) == 0
    purged = session.scalars(select(Event).where(Event.kind == "retention:purged")).all()
    assert [event.after["access_log"] for event in purged] == [1]


def test_before_the_hour_nothing_is_enqueued(app, session, due, redis, monkeypatch):
    from rq import Queue, SimpleWorker

    class Worker(DailyTasks, SimpleWorker):
        pass

    monkeypatch.setattr(clock, "now", lambda: NIGHT)
    monkeypatch.setitem(app.config, "DAILY_TASKS_HOUR", 4)
    queue = Queue(jobs.QUEUE_NAME, connection=redis)
    with app.app_context():
        assert Worker([queue], connection=redis).work(burst=True) is False
    assert redis.get("portal:daily:2026-12-02") is None
    session.rollback()
    session.expire_all()
    assert due.status == "never-contacted"
