"""A campaign's figures, the return count by ZLV's rule so that both tools agree.

ZLV (`docs/database/trigger-campaign-return-count.md`): a housing counts once per
campaign, if its current status is Premier contact, Suivi en cours, Suivi terminé or Suivi
bloqué **and** it has at least one `housing:status-updated` or `housing:occupancy-updated`
event created after the campaign's send date. Taux de retour = returns / housings, shown
only once the send date is set.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from portal import clock
from portal.models import CallbackRequest, Campaign, Event, Housing, Letter, Response

RETURN_STATUSES = ("first-contact", "in-progress", "completed", "blocked")
RETURN_EVENTS = ("housing:status-updated", "housing:occupancy-updated")


@dataclass(frozen=True)
class Figures:
    housings: int
    owners: int
    letters: int
    printed: int  # letters with codes (printed at least once)
    revoked: int
    scans: int  # letters opened on the portal
    answers: int  # diagnostics submitted
    callbacks: int
    returns: int
    rate: float | None  # returns / housings, None before the send date is set


def return_count(session: Session, campaign: Campaign) -> int:
    if campaign.sent_at is None:
        return 0
    since = clock.start_of_day(campaign.sent_at)
    housing_ids = select(Letter.housing_id).where(Letter.campaign_id == campaign.id)
    event_after = exists().where(Event.housing_id == Housing.id, Event.kind.in_(RETURN_EVENTS),
                                 Event.created_at > since)  # fmt: skip
    return session.scalar(
        select(func.count(Housing.id)).where(
            Housing.collectivite_id == campaign.collectivite_id, Housing.id.in_(housing_ids),
            Housing.status.in_(RETURN_STATUSES), event_after)
    ) or 0  # fmt: skip


def figures(session: Session, campaign: Campaign) -> Figures:
    scoped = (Letter.campaign_id == campaign.id,
              Letter.collectivite_id == campaign.collectivite_id)  # fmt: skip
    housings, owners, letters, printed, revoked, scans = session.execute(
        select(func.count(Letter.housing_id.distinct()), func.count(Letter.owner_id.distinct()),
               func.count(Letter.id), func.count(Letter.seed), func.count(Letter.revoked_at),
               func.count(Letter.first_visit_at)).where(*scoped)
    ).one()  # fmt: skip
    answers = session.scalar(
        select(func.count(Response.id)).join(Letter, Letter.id == Response.letter_id)
        .where(*scoped, Response.submitted_at.is_not(None))
    )  # fmt: skip
    callbacks = session.scalar(
        select(func.count(CallbackRequest.id))
        .join(Letter, Letter.id == CallbackRequest.letter_id).where(*scoped)
    )  # fmt: skip
    returns = return_count(session, campaign)
    rate = returns / housings if campaign.sent_at is not None and housings else None
    return Figures(housings, owners, letters, printed, revoked, scans, answers or 0,
                   callbacks or 0, returns, rate)  # fmt: skip
