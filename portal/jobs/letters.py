"""The letters job: a campaign's letters as one PDF, plus the recipients CSV for a mailing
house. Letters printed for the first time get their codes here (portal.letters.issue), in
the same transaction as the files: if anything fails, no code is issued and no file kept.
Printing again gives the same codes."""

from __future__ import annotations

import io
from collections.abc import Callable

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal import clock
from portal.jobs import JobFailed
from portal.letters import campaign as printed
from portal.letters import pdf, recipients
from portal.models import Campaign, Job, JobFile, Letter


def generate(session: Session, job: Job, progress: Callable) -> dict:
    campaign = session.scalar(
        select(Campaign).where(
            Campaign.id == job.campaign_id, Campaign.collectivite_id == job.collectivite_id
        )
    )
    if campaign is None:
        raise JobFailed("campaign-gone")
    total = (
        session.scalar(
            select(func.count(Letter.id)).where(
                Letter.campaign_id == campaign.id, Letter.revoked_at.is_(None)
            )
        )
        or 0
    )
    if total == 0:
        raise JobFailed("no-letters")
    progress(0, total, force=True)
    secret_key = current_app.config["SECRET_KEY"]
    layout = printed.layout_for(session, campaign.collectivite, campaign.title,
                                campaign.sent_at or clock.local_date(),
                                current_app.config["PORTAL_BASE_URL"])  # fmt: skip
    rows: list = []

    def recipients_in_order():
        for letter, housing, owner in printed.letters_of(session, campaign):
            one = printed.recipient(letter, housing, owner, secret_key)
            rows.append((letter.id, one))
            yield one

    out = io.BytesIO()
    count = pdf.render(layout, recipients_in_order(), out, progress=lambda n: progress(n))
    csv_bytes = recipients.csv_bytes(rows)
    name = f"courriers-campagne-{campaign.id}"
    session.add_all([
        JobFile(job_id=job.id, role="pdf", name=f"{name}.pdf", media_type="application/pdf",
                size=out.tell(), data=out.getvalue()),
        JobFile(job_id=job.id, role="csv", name=f"{name}-destinataires.csv",
                media_type="text/csv; charset=utf-8", size=len(csv_bytes), data=csv_bytes),
    ])  # fmt: skip
    session.commit()
    progress(count, total, force=True)
    return {"letters": count}
