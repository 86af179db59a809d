"""Background work: letter generation and large imports, followed on a page or in the CLI.

`submit` records a Job (and its input files) and hands it to a runner chosen by the
configuration: RQ workers (`portal worker`) when REDIS_URL is set, a thread of this process
on the embedded default, or at once in the caller (JOBS_RUNNER="inline": tests, the CLI).
`run` does the work: it claims the job (queued → running, so that two workers never run
one job), calls the handler of its kind in its own session, and records done or failed. A
handler writes its results in one transaction at its end; its progress is written apart,
in short transactions, so the page sees it while nothing is half-written. A job whose
heartbeat stops (its worker died) is shown as failed and can be started again.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import Flask, current_app
from sqlalchemy import update
from sqlalchemy.orm import Session

from portal import clock
from portal.database import begin_write
from portal.models import Job, JobFile

log = logging.getLogger(__name__)

# kind → "module:function"; the function takes (session, job, progress) and returns the
# result dict shown when the job is done.
HANDLERS = {
    "letters": "portal.jobs.letters:generate",
    "import": "portal.jobs.imports:run_import",
}
STALL_AFTER = timedelta(minutes=3)  # a running job silent this long has died
HEARTBEAT_EVERY = timedelta(seconds=2)
QUEUE_NAME = "portal"


class JobFailed(Exception):
    """A failure to show to agents as it is (its message is for them)."""


def state(job: Job, now: datetime | None = None) -> str:
    """The state to show: a running job whose heartbeat stopped has failed."""
    now = now or clock.now()
    if job.state == "running" and (job.heartbeat_at or job.started_at or now) < now - STALL_AFTER:
        return "failed"
    return job.state


def submit(session: Session, job: Job, files: list[JobFile] = ()) -> Job:
    """Record the job and its files, commit, and hand it to the configured runner."""
    begin_write(session, reload=False)  # (the caller's, if it began one)
    job.state, job.done, job.error = "queued", 0, None
    session.add(job)
    for file in files:
        file.job = job
        session.add(file)
    session.commit()
    dispatch(current_app._get_current_object(), job.id)
    return job


def restart(session: Session, job: Job) -> bool:
    """Queue again a failed job (or one that stalled). False if it is not failed."""
    if state(job) != "failed":
        return False
    begin_write(session, reload=False)  # the UPDATE's condition checks the state again
    claimed = session.execute(
        update(Job).where(Job.id == job.id, Job.state == job.state)
        .values(state="queued", done=0, error=None, started_at=None, heartbeat_at=None,
                finished_at=None)
    ).rowcount  # fmt: skip
    session.commit()
    if claimed:
        dispatch(current_app._get_current_object(), job.id)
    return bool(claimed)


def dispatch(app: Flask, job_id: int) -> None:
    runner = app.config.get("JOBS_RUNNER") or ("rq" if app.config.get("REDIS_URL") else "thread")
    if runner == "rq":
        from redis import Redis
        from rq import Queue

        queue = Queue(QUEUE_NAME, connection=Redis.from_url(app.config["REDIS_URL"]))
        queue.enqueue("portal.jobs.worker.run_job", job_id, job_timeout=3600)
    elif runner == "thread":
        thread = threading.Thread(target=_in_app, args=(app, job_id), name=f"job-{job_id}")
        thread.daemon = True
        thread.start()
    else:
        run(app, job_id)


def _in_app(app: Flask, job_id: int) -> None:
    with app.app_context():
        run(app, job_id)


def _handler(kind: str) -> Callable:
    module, _, function = HANDLERS[kind].partition(":")
    return getattr(importlib.import_module(module), function)


class Progress:
    """Records done/total in its own short transactions, at most every HEARTBEAT_EVERY;
    `stage` (a handler's word for its step, e.g. "check" then "write") goes into the
    result shown while the job runs."""

    def __init__(self, app: Flask, job_id: int, listener: Callable | None = None) -> None:
        self.engine, self.job_id, self.last = app.extensions["database"], job_id, None
        self.listener = listener  # e.g. the CLI's progress line

    def __call__(self, done: int, total: int | None = None, force: bool = False,
                 stage: str | None = None) -> None:  # fmt: skip
        if self.listener is not None:
            self.listener(done, total)
        now = clock.now()
        if not force and self.last is not None and now - self.last < HEARTBEAT_EVERY:
            return
        self.last = now
        values = {"done": done, "heartbeat_at": now}
        if total is not None:
            values["total"] = total
        if stage is not None:
            values["result"] = {"stage": stage}
        with Session(self.engine) as session, session.begin():
            session.execute(update(Job).where(Job.id == self.job_id).values(**values))


def _finish(app: Flask, job_id: int, **values) -> None:
    with Session(app.extensions["database"]) as session, session.begin():
        session.execute(update(Job).where(Job.id == job_id).values(finished_at=clock.now(),
                                                                   **values))  # fmt: skip


def run(app: Flask, job_id: int, listener: Callable | None = None) -> str:
    """Claim and run one job; returns its final state ("skipped" if another runner has it)."""
    engine = app.extensions["database"]
    now = clock.now()
    with Session(engine) as session, session.begin():
        claimed = session.execute(
            update(Job).where(Job.id == job_id, Job.state == "queued")
            .values(state="running", started_at=now, heartbeat_at=now)
        ).rowcount  # fmt: skip
    if not claimed:
        return "skipped"
    progress = Progress(app, job_id, listener)
    with Session(engine, expire_on_commit=False) as session:
        job = session.get(Job, job_id)
        try:
            result = _handler(job.kind)(session, job, progress)
        except JobFailed as failure:
            session.rollback()
            _finish(app, job_id, state="failed", error=str(failure))
            return "failed"
        except Exception:
            session.rollback()
            log.exception("job %s (%s) failed", job_id, job.kind)
            _finish(app, job_id, state="failed", error="internal")
            return "failed"
    _finish(app, job_id, state="done", result=result or {})
    return "done"
