"""A collectivité's campaigns in the back-office: reading them (scoped), their letters,
their letter jobs and files, and the agent's actions on a letter (revoke, re-issue).
Campaign rules themselves are in portal.campaigns (no Flask)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.letters import issue
from portal.models import Agent, Campaign, Event, Housing, Job, JobFile, Letter, Owner, Response

PER_PAGE = 50
NPAI = "N’habite pas à l’adresse indiquée"  # ZLV's sub-status of "Premier contact"


@dataclass(frozen=True)
class LetterRow:
    letter: Letter
    housing: Housing
    owner: Owner
    answered: bool


def campaign_of(session: Session, collectivite_id: int, campaign_id: int) -> Campaign | None:
    return session.scalar(
        select(Campaign).where(
            Campaign.id == campaign_id, Campaign.collectivite_id == collectivite_id
        )
    )


def letters_page(session: Session, collectivite_id: int, campaign_id: int,
                 page: int) -> tuple[list[LetterRow], int]:  # fmt: skip
    """One page of the campaign's letters, by owner name, and how many there are."""
    scoped = (Letter.collectivite_id == collectivite_id, Letter.campaign_id == campaign_id)
    total = session.scalar(select(func.count(Letter.id)).where(*scoped)) or 0
    answered = Response.submitted_at.is_not(None)
    rows = session.execute(
        select(Letter, Housing, Owner, answered)
        .join(Housing, Housing.id == Letter.housing_id)
        .join(Owner, Owner.id == Letter.owner_id)
        .outerjoin(Response, Response.letter_id == Letter.id)
        .where(*scoped)
        .order_by(Owner.full_name, Letter.id)
        .limit(PER_PAGE).offset((max(page, 1) - 1) * PER_PAGE)
    )  # fmt: skip
    return [LetterRow(letter, housing, owner, bool(done)) for letter, housing, owner, done
            in rows], total  # fmt: skip


def letter_of(session: Session, collectivite_id: int, campaign_id: int,
              letter_id: int) -> Letter | None:  # fmt: skip
    return session.scalar(select(Letter).where(
        Letter.id == letter_id, Letter.campaign_id == campaign_id,
        Letter.collectivite_id == collectivite_id))  # fmt: skip


def latest_job(session: Session, collectivite_id: int, campaign_id: int) -> Job | None:
    """The campaign's latest letters job (its files are the PDF and CSV to download)."""
    return session.scalar(
        select(Job).where(Job.collectivite_id == collectivite_id, Job.kind == "letters",
                          Job.campaign_id == campaign_id)
        .order_by(Job.id.desc()).limit(1)
    )  # fmt: skip


def job_of(session: Session, collectivite_id: int, job_id: int, kind: str) -> Job | None:
    return session.scalar(
        select(Job).where(
            Job.id == job_id, Job.kind == kind, Job.collectivite_id == collectivite_id
        )
    )


def file_of(session: Session, job: Job, role: str) -> JobFile | None:
    return session.get(JobFile, (job.id, role))


def files_of(session: Session, job: Job) -> dict[str, JobFile]:
    return {f.role: f for f in session.scalars(select(JobFile).where(JobFile.job_id == job.id))}


def _event(agent: Agent, letter: Letter, kind: str, now: datetime, before, after) -> Event:
    return Event(collectivite_id=letter.collectivite_id, created_at=now, actor_kind="agent",
                 agent_id=agent.id, kind=kind, housing_id=letter.housing_id,
                 owner_id=letter.owner_id, letter_id=letter.id, before=before,
                 after=after)  # fmt: skip


def revoke_letter(session: Session, agent: Agent, letter: Letter, reason: str,
                  now: datetime) -> bool:  # fmt: skip
    """Stop the letter's link and code. A letter back as undeliverable ("npai") also sets
    the housing to Premier contact / N’habite pas à l’adresse indiquée, as in ZLV."""
    if not issue.revoke(letter, reason, now):
        return False
    session.add(_event(agent, letter, "letter:revoked", now, None, {"reason": reason}))
    housing = session.get(Housing, letter.housing_id)
    if reason == "npai" and (housing.status, housing.sub_status) != ("first-contact", NPAI):
        before = {"status": housing.status, "sub_status": housing.sub_status}
        housing.status, housing.sub_status = "first-contact", NPAI
        session.add(_event(agent, letter, "housing:status-updated", now, before,
                           {"status": "first-contact", "sub_status": NPAI}))  # fmt: skip
    return True


def reissue_letter(session: Session, agent: Agent, letter: Letter, secret_key: str,
                   now: datetime) -> issue.Codes:  # fmt: skip
    """New codes for a revoked letter (to post it again, e.g. to a corrected address)."""
    codes = issue.reissue(letter, secret_key)
    session.add(_event(agent, letter, "letter:reissued", now, None, {"issue": letter.issue}))
    return codes
