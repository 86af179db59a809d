"""What RQ workers run (`portal worker`): one job, or the daily tasks, inside the portal's
app; and the worker itself, which enqueues the daily tasks once a day (portal/jobs/daily.py)."""

from __future__ import annotations

from flask import Flask, current_app, has_app_context
from rq import Worker

from portal import clock
from portal.jobs import QUEUE_NAME, daily, run

_app: Flask | None = None


def _portal() -> Flask:
    global _app
    if has_app_context():
        return current_app._get_current_object()
    if _app is None:
        from portal import create_app

        _app = create_app()
    return _app


def run_job(job_id: int) -> str:
    app = _portal()
    with app.app_context():
        return run(app, job_id)


def run_daily_tasks() -> dict:
    app = _portal()
    with app.app_context():
        return daily.run(app)


class DailyTasks:
    """For an RQ worker class: also enqueue the daily tasks when the day's are due and no
    other worker has claimed them (checked at start and at each maintenance, every 10
    minutes)."""

    def run_maintenance_tasks(self) -> None:
        super().run_maintenance_tasks()
        enqueue_daily_tasks(self)


class PortalWorker(DailyTasks, Worker):
    """`portal worker`: RQ's worker (a fork per job) with the daily tasks."""


def enqueue_daily_tasks(worker: Worker) -> bool:
    """Enqueue `run_daily_tasks` if today's are due and this worker claims them first."""
    day = daily.due_day(clock.now(), _portal().config["DAILY_TASKS_HOUR"])
    if day is None or not daily.claim(worker.connection, day, worker.name):
        return False
    queue = next(q for q in worker.queues if q.name == QUEUE_NAME)
    queue.enqueue("portal.jobs.worker.run_daily_tasks", job_timeout=3600,
                  description=f"daily tasks of {day.isoformat()}")  # fmt: skip
    worker.log.info("enqueued the daily tasks of %s", day.isoformat())
    return True
