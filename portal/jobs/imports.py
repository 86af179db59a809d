"""The import job: a preview of an uploaded file, or its import once an agent confirms.

params: {"mode": "preview" | "apply", "file_name": the name the agent uploaded,
"locale": the agent's language (the report and messages are worded in it), and for an
apply "input_job_id": the preview job whose "input" file it imports}. The preview job holds
the upload as its JobFile "input"; each job writes its row-by-row report as a JobFile
"report" (CSV). The result is portal.imports.run.Summary's `as_result()`; a file that
cannot be read gives a result with `file_error` (the job is done: running it again would
not help, another file would).

On SQLite the write lock is held by the import's transaction while it writes, so no other
connection may write the job's progress then: it is recorded when the writing starts and
when the job ends only (on PostgreSQL, every HEARTBEAT_EVERY). STALL_AFTER must stay above
the longest write (about 15 s for 100,000 new housings: bench/bench_import.py).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from flask_babel import force_locale
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from portal.database import begin_write
from portal.imports import messages
from portal.imports.plan import DataChanged
from portal.imports.run import ProgressFn, apply, preview
from portal.jobs import JobFailed, Progress
from portal.models import Collectivite, Job, JobFile

REPORT_NAME = "rapport-import-{id}.csv"


def run_import(session: Session, job: Job, progress: Progress) -> dict:
    params = job.params or {}
    collectivite = session.get(Collectivite, job.collectivite_id)
    source = params.get("input_job_id") or job.id
    data = session.scalar(
        select(JobFile.data)
        .join(Job, Job.id == JobFile.job_id)
        .where(JobFile.job_id == source, JobFile.role == "input",
               Job.collectivite_id == job.collectivite_id)
    )  # fmt: skip
    if data is None:
        raise JobFailed("input file missing")
    name = params.get("file_name") or "import"
    sqlite = session.get_bind().dialect.name == "sqlite"
    with force_locale(params.get("locale") or "fr"), tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "input"
        path.write_bytes(data)
        del data
        report_path = Path(folder) / "report.csv"
        with report_path.open("w", encoding="utf-8", newline="") as report:
            options = {"name": name, "progress": _progress(progress, sqlite), "report": report}
            try:
                if params.get("mode") == "apply":
                    summary = apply(session, collectivite, path, agent_id=job.created_by_id,
                                    job_id=job.id, **options)  # fmt: skip
                else:
                    summary = preview(session, collectivite, path, **options)
            except DataChanged:
                raise JobFailed(messages.file_error("data-changed", {})) from None
        if summary.file_error is None:
            if params.get("mode") != "apply":
                begin_write(session)  # the preview's reads end: a write transaction begins
            _store_report(session, job, report_path.read_bytes())
        session.commit()  # an apply's rows, its Event and its report: together
    return summary.as_result()


def _progress(progress: Progress, sqlite: bool) -> ProgressFn:
    def record(stage: str, done: int, total: int | None) -> None:
        if stage == "write" and sqlite and done:
            return  # our transaction holds SQLite's write lock: see the docstring
        progress(done, total, force=done == 0, stage=stage)

    return record


def _store_report(session: Session, job: Job, data: bytes) -> None:
    session.execute(delete(JobFile).where(JobFile.job_id == job.id, JobFile.role == "report"))
    name = REPORT_NAME.format(id=job.id)
    session.add(JobFile(job_id=job.id, role="report", name=name, size=len(data), data=data,
                        media_type="text/csv; charset=utf-8"))  # fmt: skip
