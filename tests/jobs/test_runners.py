"""Background jobs: the three runners (inline, a thread, RQ workers on Redis), the claim,
a job that dies shown as failed and started again."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import clock, jobs
from portal.models import HousingOwner, Job, JobFile, Letter
from tests.builders import make_campaign, make_collectivite, make_housing, make_owner


@pytest.fixture
def campaign(session):
    town = make_collectivite(session)
    found = make_campaign(session, town, sent_at=None)
    for _ in range(2):
        housing, owner = make_housing(session, town), make_owner(session, town)
        session.add_all([HousingOwner(housing=housing, owner=owner, rank=1),
                         Letter(collectivite=town, campaign=found, housing=housing,
                                owner=owner)])  # fmt: skip
    session.commit()
    return found


def _job(campaign) -> Job:
    return Job(collectivite_id=campaign.collectivite_id, kind="letters", campaign_id=campaign.id)


def _state(app, job_id: int) -> Job:
    with Session(app.extensions["database"]) as session:
        return session.get(Job, job_id)


def _wait(app, job_id: int, seconds: float = 60) -> Job:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = _state(app, job_id)
        if job.state in ("done", "failed"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} still {job.state}")


def test_a_job_runs_once_whoever_claims_it(app, session, campaign):
    with app.app_context():
        job = jobs.submit(session, _job(campaign))  # inline in the test configuration
        assert _state(app, job.id).state == "done"
        assert jobs.run(app, job.id) == "skipped"  # a second runner finds it taken
    assert session.get(JobFile, (job.id, "pdf")).size > 1000


def test_in_a_thread_of_the_app(app, session, campaign, monkeypatch):
    monkeypatch.setitem(app.config, "JOBS_RUNNER", "thread")
    with app.app_context():
        job = jobs.submit(session, _job(campaign))
    assert _wait(app, job.id).state == "done"
    assert _state(app, job.id).result == {"letters": 2}


def test_on_an_rq_worker(app, session, campaign, monkeypatch):
    redis = pytest.importorskip("redis")
    from rq import Queue, SimpleWorker

    url = "redis://127.0.0.1:6379/15"
    connection = redis.Redis.from_url(url)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    connection.delete(f"rq:queue:{jobs.QUEUE_NAME}")
    monkeypatch.setitem(app.config, "REDIS_URL", url)
    monkeypatch.setitem(app.config, "JOBS_RUNNER", None)  # chosen from REDIS_URL
    with app.app_context():
        job = jobs.submit(session, _job(campaign))
        assert _state(app, job.id).state == "queued"  # waiting for a worker
        queue = Queue(jobs.QUEUE_NAME, connection=connection)
        assert queue.count == 1
        SimpleWorker([queue], connection=connection).work(burst=True)
    assert _state(app, job.id).state == "done"


def test_a_job_whose_worker_died_is_failed_and_can_start_again(app, session, campaign,
                                                                monkeypatch):  # fmt: skip
    started = clock.now() - timedelta(minutes=10)
    job = _job(campaign)
    job.state, job.started_at, job.heartbeat_at = "running", started, started
    session.add(job)
    session.commit()
    assert jobs.state(job) == "failed"  # its heartbeat stopped 10 minutes ago
    fresh = _job(campaign)
    fresh.state, fresh.started_at, fresh.heartbeat_at = "running", clock.now(), clock.now()
    assert jobs.state(fresh) == "running"
    with app.app_context():
        assert jobs.restart(session, job)
    assert _state(app, job.id).state == "done"


def test_a_failing_handler_leaves_no_file_and_says_why(app, session, campaign, monkeypatch):
    from portal.letters import pdf

    monkeypatch.setattr(pdf, "render", lambda *a, **k: (_ for _ in ()).throw(OSError("disk")))
    with app.app_context():
        job = jobs.submit(session, _job(campaign))
    failed = _state(app, job.id)
    assert (failed.state, failed.error) == ("failed", "internal")
    assert session.scalars(select(JobFile).where(JobFile.job_id == job.id)).all() == []
