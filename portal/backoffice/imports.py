"""Imports from the back-office: an upload becomes a preview job; a confirmed preview
becomes an apply job on the same file (portal/jobs/imports.py runs both).

Every function takes the collectivité's id: a job is found only among its own, so another
collectivité's job answers like a missing one (404).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import jobs
from portal.database import begin_write
from portal.imports.read import open_table
from portal.models import Agent, Job, JobFile

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA_TYPES = {".csv": "text/csv", ".xlsx": XLSX_TYPE}


def file_name(raw: str | None) -> str:
    """The uploaded file's own name (a browser may send a whole path), at most 200
    characters (JobFile.name)."""
    name = PurePosixPath((raw or "").replace("\\", "/")).name.strip() or "import"
    return name[-200:]


def check_upload(data: bytes, name: str) -> None:
    """Refuse at once a file that cannot be read as a table (not an XLSX, no "Logements"
    sheet, required columns missing, empty): raises ImportFileError. Rows are left to the
    preview job."""
    with tempfile.NamedTemporaryFile(suffix=Path(name).suffix) as file:
        file.write(data)
        file.flush()
        open_table(file.name, name).close()


def submit_preview(session: Session, agent: Agent, name: str, data: bytes, locale: str) -> Job:
    job = Job(collectivite_id=agent.collectivite_id, kind="import", created_by_id=agent.id,
              params={"mode": "preview", "file_name": name, "locale": locale})  # fmt: skip
    upload = JobFile(role="input", name=name, size=len(data), data=data,
                     media_type=MEDIA_TYPES.get(Path(name).suffix.lower(), "text/csv"))  # fmt: skip
    return jobs.submit(session, job, [upload])


def import_job(session: Session, collectivite_id: int, job_id: int) -> Job | None:
    return session.scalar(
        select(Job).where(Job.id == job_id, Job.collectivite_id == collectivite_id,
                          Job.kind == "import")
    )  # fmt: skip


def report_file(session: Session, collectivite_id: int, job_id: int) -> JobFile | None:
    return session.scalar(
        select(JobFile).join(Job)
        .where(JobFile.job_id == job_id, JobFile.role == "report",
               Job.collectivite_id == collectivite_id, Job.kind == "import")
    )  # fmt: skip


def confirmable(job: Job) -> bool:
    """A preview that is done, could read its file and has something to write."""
    result = job.result or {}
    counts = result.get("counts") or {}
    return (
        job.params.get("mode") == "preview" and jobs.state(job) == "done"
        and not result.get("file_error") and counts.get("create", 0) + counts.get("update", 0) > 0
    )  # fmt: skip


def confirm(session: Session, agent: Agent, job_id: int, locale: str) -> Job | None:
    """The apply job of the agent's collectivité's preview `job_id`: submitted now, or the
    one a first confirmation submitted (a double click imports once). None if the preview
    cannot be confirmed."""
    begin_write(session)  # holds the write lock (SQLite), or the preview's row (below)
    preview = session.scalar(
        select(Job).where(Job.id == job_id, Job.collectivite_id == agent.collectivite_id,
                          Job.kind == "import").with_for_update()
    )  # fmt: skip
    if preview is None or not confirmable(preview):
        session.rollback()
        return None
    earlier = preview.result.get("apply_job_id")
    if earlier:
        session.rollback()
        return import_job(session, agent.collectivite_id, earlier)
    job = Job(collectivite_id=agent.collectivite_id, kind="import", created_by_id=agent.id,
              params={"mode": "apply", "input_job_id": preview.id, "locale": locale,
                      "file_name": preview.params.get("file_name")})  # fmt: skip
    session.add(job)
    session.flush()
    preview.result = {**preview.result, "apply_job_id": job.id}
    return jobs.submit(session, job)


@dataclass
class Progress:
    """What the page shows of a job: its state, its step and how far it is."""

    state: str  # queued, running, done, failed
    stage: str | None  # "check" or "write" while running
    done: int
    total: int | None

    @property
    def value(self) -> int | None:
        """The <progress> value, out of `total` (None: indeterminate)."""
        return min(self.done, self.total) if self.total else None


def progress(job: Job) -> Progress:
    stage = (job.result or {}).get("stage") if job.state == "running" else None
    return Progress(jobs.state(job), stage, job.done or 0, job.total)
