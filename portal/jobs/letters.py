"""The letters job: a campaign's letters as one PDF, plus the recipients CSV for a mailing
house, in three steps so that no write lock is held while drawing (SQLite has one writer,
and the job's progress is written meanwhile): letters printed for the first time get their
codes (portal.letters.issue), and their arm in any running letter experiment
(portal.experiments.assign), in one short transaction; the PDF is drawn, reading only; the
files are stored in another short transaction. If drawing fails, the codes issued stay
(unprinted, they open nothing anyone has; the next run prints them) and no file is kept.
Printing again gives the same codes."""

from __future__ import annotations

import io
from collections.abc import Callable

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal import clock
from portal.database import begin_write
from portal.experiments.assign import assign_letters
from portal.jobs import JobFailed
from portal.letters import campaign as printed
from portal.letters import merge, pdf, recipients
from portal.models import Campaign, Job, JobFile, Letter
from portal.models.letter_template import DEFAULT_VARIANT


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
    begin_write(session)
    assign_letters(session, campaign, now=clock.now())  # experiments: arms before printing
    printed.issue_codes(session, campaign, secret_key)
    session.commit()
    config = current_app.config

    def layout(variant: str = DEFAULT_VARIANT):
        return printed.layout_for(session, campaign.collectivite, campaign.title,
                                  campaign.sent_at or clock.local_date(),
                                  config["PORTAL_BASE_URL"], config["GUIDANCE_CONTENT_PATH"],
                                  variant)  # fmt: skip

    variants = {name: layout(name) for name in printed.variants_of(session, campaign)
                if name != DEFAULT_VARIANT}  # fmt: skip
    in_order = (printed.recipient(letter, housing, owner, secret_key)
                for letter, housing, owner in printed.letters_of(session, campaign))  # fmt: skip
    out, csv_text = io.BytesIO(), io.StringIO(newline="")
    listing = recipients.RecipientsCsv(csv_text)
    try:
        count = pdf.render(
            layout(), in_order, out, progress=progress, on_letter=listing.add, variants=variants
        )
    except merge.TemplateError as error:
        raise JobFailed("template") from error
    csv_bytes = csv_text.getvalue().encode("utf-8")
    begin_write(session)
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
