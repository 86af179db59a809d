"""How long personal data is kept, and the daily purge (`portal retention purge`).

Each kind of data has its period, set by configuration (RETENTION_*; the figures and their
reasons are in portal/config.py) and stated on the privacy page. Past it, data is deleted,
or anonymised where the campaigns' figures need the row (portal/campaigns/returns.py counts
Responses with `submitted_at`, CallbackRequests and `Letter.first_visit_at`):

- a call-back request keeps its row and dates (consent, handled) and loses the phone, the
  e-mail, the note and the moments;
- a response keeps its dates, progress, "useful", the aids the owner saw and the declared
  situation (what the dwelling is: the queue's filter and the export's column; the housing
  record keeps its occupancy anyway); it loses every other answer (who the owner is, their
  income band, intentions, obstacles), the comment and the search text (name and address);
  `content_version` is emptied, which marks it as anonymised; the earlier answers the owner
  changed (ResponseChange) go with them, but for the declared situation;
- the agents' access log, agents' ended sessions, job files (uploaded imports, letters PDF
  and recipients CSV, import reports), sent or abandoned e-mails of the outbox (an owner's
  address and call-back receipt, agents' notices) and rate-limit hits are deleted.

Events are append-only and left as they are: none holds an owner's free text, contact
details or answers other than DWELLING_ANSWERS (see `record_owner_return`; migration
4b1e5c0a7d21 stripped those recorded before).

One transaction per kind; the Events `retention:purged` (actor "system", counts per kind,
nothing personal), one per collectivité concerned, in a last transaction.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, delete, func, or_, select, update
from sqlalchemy.orm import Session

from portal.database import begin_write
from portal.models import (
    AccessLog,
    Agent,
    AgentSession,
    CallbackRequest,
    Event,
    Job,
    JobFile,
    OutboxMessage,
    RateLimitHit,
    Response,
    ResponseChange,
)
from portal.models.response import DWELLING_ANSWERS

KINDS = ("callback_requests", "responses", "access_log", "agent_sessions", "job_files", "outbox")
EVENT_KIND = "retention:purged"
CHUNK = 1000


@dataclass(frozen=True)
class Periods:
    callback_handled: timedelta  # after an agent marked the call-back request handled
    callback: timedelta  # after the request, handled or not
    answers: timedelta  # after the owner's latest return (or latest answer)
    access_log: timedelta
    agent_sessions: timedelta  # after the session ended or expired
    job_files: timedelta  # after the job finished (or was created)
    outbox: timedelta  # e-mails, after they were sent or given up
    rate_limit_hits: timedelta

    @classmethod
    def from_config(cls, config: Mapping) -> Periods:
        return cls(
            callback_handled=timedelta(days=config["RETENTION_CALLBACK_HANDLED_DAYS"]),
            callback=timedelta(days=config["RETENTION_CALLBACK_DAYS"]),
            answers=timedelta(days=config["RETENTION_ANSWERS_DAYS"]),
            access_log=timedelta(days=config["RETENTION_ACCESS_LOG_DAYS"]),
            agent_sessions=timedelta(days=config["RETENTION_SESSION_DAYS"]),
            job_files=timedelta(days=config["RETENTION_JOB_FILE_DAYS"]),
            outbox=timedelta(days=config["RETENTION_OUTBOX_DAYS"]),
            rate_limit_hits=timedelta(hours=config["RETENTION_RATE_LIMIT_HOURS"]),
        )


@dataclass
class Report:
    """What was (or, in a dry run, would be) purged: per kind, per collectivité."""

    counts: dict[str, Counter]
    rate_limit_hits: int = 0  # no collectivité: counted, in no Event

    def total(self, kind: str) -> int:
        return sum(self.counts[kind].values())

    def per_collectivite(self) -> dict[int, dict[str, int]]:
        found: dict[int, dict[str, int]] = {}
        for kind in KINDS:
            for collectivite_id, count in self.counts[kind].items():
                if count and collectivite_id is not None:
                    found.setdefault(collectivite_id, dict.fromkeys(KINDS, 0))[kind] = count
        return found


def _callbacks_due(now: datetime, periods: Periods) -> ColumnElement[bool]:
    return and_(
        or_(CallbackRequest.handled_at < now - periods.callback_handled,
            CallbackRequest.consent_at < now - periods.callback),
        or_(CallbackRequest.phone.is_not(None), CallbackRequest.email.is_not(None),
            CallbackRequest.note != ""),
    )  # fmt: skip


def _responses_due(now: datetime, periods: Periods) -> ColumnElement[bool]:
    returned = func.coalesce(Response.last_return_at, Response.updated_at)
    return and_(returned < now - periods.answers,
                or_(Response.content_version != "", Response.comment.is_not(None),
                    Response.search_text != ""))  # fmt: skip


def _sessions_due(now: datetime, periods: Periods) -> ColumnElement[bool]:
    cutoff = now - periods.agent_sessions
    return or_(AgentSession.ended_at < cutoff, AgentSession.expires_at < cutoff)


def _job_files_due(now: datetime, periods: Periods) -> ColumnElement[bool]:
    finished = func.coalesce(Job.finished_at, Job.created_at)
    return JobFile.job_id.in_(select(Job.id).where(finished < now - periods.job_files))


def _outbox_due(now: datetime, periods: Periods) -> ColumnElement[bool]:
    return func.coalesce(OutboxMessage.sent_at, OutboxMessage.failed_at) < now - periods.outbox


def _grouped(session: Session, statement) -> Counter:
    return Counter({collectivite_id: n for collectivite_id, n in session.execute(statement)})


def _count_statements(now: datetime, periods: Periods) -> dict:
    return {
        "callback_requests": select(CallbackRequest.collectivite_id, func.count())
            .where(_callbacks_due(now, periods)).group_by(CallbackRequest.collectivite_id),
        "responses": select(Response.collectivite_id, func.count())
            .where(_responses_due(now, periods)).group_by(Response.collectivite_id),
        "access_log": select(AccessLog.collectivite_id, func.count())
            .where(AccessLog.created_at < now - periods.access_log)
            .group_by(AccessLog.collectivite_id),
        "agent_sessions": select(Agent.collectivite_id, func.count()).select_from(AgentSession)
            .join(Agent, Agent.id == AgentSession.agent_id)
            .where(_sessions_due(now, periods)).group_by(Agent.collectivite_id),
        "job_files": select(Job.collectivite_id, func.count()).select_from(JobFile)
            .join(Job, Job.id == JobFile.job_id)
            .where(_job_files_due(now, periods)).group_by(Job.collectivite_id),
        # Messages to no collectivité (security alerts) are counted under None, in no Event.
        "outbox": select(OutboxMessage.collectivite_id, func.count())
            .where(_outbox_due(now, periods)).group_by(OutboxMessage.collectivite_id),
    }  # fmt: skip


def count(session: Session, now: datetime, periods: Periods) -> Report:
    """What a purge at `now` would touch; changes nothing."""
    statements = _count_statements(now, periods)
    counts = {kind: _grouped(session, statements[kind]) for kind in KINDS}
    old_hits = RateLimitHit.created_at < now - periods.rate_limit_hits
    hits = session.scalar(select(func.count()).select_from(RateLimitHit).where(old_hits))
    return Report(counts, hits or 0)


def _anonymise_responses(session: Session, now: datetime, periods: Periods) -> Counter:
    done: Counter = Counter()
    while True:
        chunk = session.scalars(
            select(Response).where(_responses_due(now, periods)).order_by(Response.id)
            .limit(CHUNK)
        ).all()  # fmt: skip
        if not chunk:
            return done
        for response in chunk:
            response.answers = {k: v for k, v in response.answers.items() if k in DWELLING_ANSWERS}
            response.comment, response.search_text = None, ""
            response.content_version, response.current_question = "", None
            response.return_digests = {}
            done[response.collectivite_id] += 1
        session.execute(
            delete(ResponseChange).where(
                ResponseChange.response_id.in_([response.id for response in chunk]),
                ResponseChange.question_id.not_in(DWELLING_ANSWERS),
            )
        )
        session.flush()


def purge(session: Session, now: datetime, periods: Periods) -> Report:
    """Delete or anonymise what is past its period: one transaction per kind, then one
    Event per collectivité concerned. Running it again at once purges nothing more."""
    report = Report({kind: Counter() for kind in KINDS})
    no_sync = {"synchronize_session": False}

    begin_write(session)
    report.counts["callback_requests"] = count_one(session, now, periods, "callback_requests")
    session.execute(
        update(CallbackRequest).where(_callbacks_due(now, periods))
        .values(phone=None, email=None, note="", moments=[]).execution_options(**no_sync)
    )  # fmt: skip
    session.commit()

    begin_write(session)
    report.counts["responses"] = _anonymise_responses(session, now, periods)
    session.commit()

    deletions = (  # kind, table, the rows past their period
        ("access_log", AccessLog, AccessLog.created_at < now - periods.access_log),
        ("agent_sessions", AgentSession, _sessions_due(now, periods)),
        ("job_files", JobFile, _job_files_due(now, periods)),
        ("outbox", OutboxMessage, _outbox_due(now, periods)),
    )
    for kind, model, due in deletions:  # one transaction per kind
        begin_write(session)
        report.counts[kind] = count_one(session, now, periods, kind)
        session.execute(delete(model).where(due).execution_options(**no_sync))
        session.commit()

    begin_write(session)
    old_hits = RateLimitHit.created_at < now - periods.rate_limit_hits
    result = session.execute(delete(RateLimitHit).where(old_hits).execution_options(**no_sync))
    report.rate_limit_hits = result.rowcount or 0
    session.commit()

    begin_write(session, reload=False)
    for collectivite_id, counts in sorted(report.per_collectivite().items()):
        session.add(Event(collectivite_id=collectivite_id, created_at=now, actor_kind="system",
                          kind=EVENT_KIND, before=None, after=counts))  # fmt: skip
    session.commit()
    return report


def count_one(session: Session, now: datetime, periods: Periods, kind: str) -> Counter:
    """The count of one kind, inside that kind's write transaction (so it is what the
    statement that follows changes)."""
    return _grouped(session, _count_statements(now, periods)[kind])
