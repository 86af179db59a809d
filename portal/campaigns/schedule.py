"""The send date: a campaign is sent from its "Date d'envoi", and only then do its housings
move from "Non suivi" to "En attente de retour" (ZLV's rule since its PR #1915).

`tick` runs daily (`portal campaigns tick`) and is idempotent; `set_send_date` applies a new
date at once: reached → the housings move; moved later or removed → the housings this
campaign moved, and that nobody has touched since, go back to "Non suivi" — unless another
sent campaign holds them. Each move writes a system Event, as an agent's change does.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import Session, aliased

from portal import clock
from portal.models import Campaign, Event, Housing, Letter
from portal.models.zlv import CAMPAIGN_STATUSES

STATUS_EVENT = "housing:status-updated"


def state(campaign: Campaign, today: date) -> str:
    """ZLV's campaign status, derived from the send date (ZLV deprecated the stored one)."""
    if campaign.status == "archived":
        return "archived"
    if campaign.sent_at is None or campaign.sent_at > today:
        return "draft"
    return "in-progress"


def label(campaign: Campaign, today: date) -> str:
    return CAMPAIGN_STATUSES[state(campaign, today)]


def _event(housing_id: int, collectivite_id: int, campaign_id: int, before: str, after: str,
           now: datetime) -> dict:  # fmt: skip
    return {"collectivite_id": collectivite_id, "created_at": now, "actor_kind": "system",
            "kind": STATUS_EVENT, "housing_id": housing_id,
            "before": {"status": before, "sub_status": None},
            "after": {"status": after, "sub_status": None, "campaign_id": campaign_id}}  # fmt: skip


def _send(session: Session, campaign: Campaign, now: datetime) -> int:
    """Move this campaign's never-contacted housings to waiting."""
    housings = session.execute(
        select(Housing.id).join(Letter, Letter.housing_id == Housing.id)
        .where(Letter.campaign_id == campaign.id, Housing.status == "never-contacted",
               Housing.collectivite_id == campaign.collectivite_id)
        .distinct()
    ).scalars().all()  # fmt: skip
    return _move(session, campaign, housings, "never-contacted", "waiting", now)


def _move(session: Session, campaign: Campaign, housing_ids: list[int], before: str,
          after: str, now: datetime) -> int:  # fmt: skip
    for start in range(0, len(housing_ids), 500):
        chunk = housing_ids[start : start + 500]
        session.execute(
            Housing.__table__.update()
            .where(Housing.id.in_(chunk), Housing.status == before)
            .values(status=after, sub_status=None, updated_at=now)
        )
        session.execute(Event.__table__.insert(), [
            _event(h, campaign.collectivite_id, campaign.id, before, after, now) for h in chunk
        ])  # fmt: skip
    return len(housing_ids)


def _unsend(session: Session, campaign: Campaign, today: date, now: datetime) -> int:
    """Move back the housings this campaign moved to waiting and that nothing changed since
    (their latest status event is this campaign's), unless another sent campaign has them."""
    latest = aliased(Event)
    later = aliased(Event)
    other = aliased(Letter)
    rows = session.execute(
        select(Housing.id, latest.after)
        .join(Letter, Letter.housing_id == Housing.id)
        .join(latest, and_(latest.housing_id == Housing.id, latest.kind == STATUS_EVENT,
                           latest.actor_kind == "system"))
        .where(Letter.campaign_id == campaign.id, Housing.status == "waiting",
               Housing.collectivite_id == campaign.collectivite_id)
        .where(~exists().where(later.housing_id == Housing.id, later.kind == STATUS_EVENT,
                               later.id > latest.id))
        .where(~exists().where(
            other.housing_id == Housing.id, other.campaign_id != campaign.id,
            other.campaign_id.in_(select(Campaign.id).where(
                Campaign.sent_at.is_not(None), Campaign.sent_at <= today)),
        ))
    ).all()  # fmt: skip
    # The latest status event's campaign is read from its JSON here (portable across SQLite
    # and PostgreSQL), in the same query: no query per housing.
    mine = sorted({housing_id for housing_id, after in rows
                   if (after or {}).get("campaign_id") == campaign.id})  # fmt: skip
    return _move(session, campaign, mine, "waiting", "never-contacted", now)


def set_send_date(session: Session, campaign: Campaign, sent_at: date | None,
                  now: datetime | None = None) -> int:  # fmt: skip
    """Change the send date and move the housings accordingly; returns how many moved."""
    now = now or clock.now()
    today = clock.local_date(now)
    was_sent = state(campaign, today) == "in-progress"
    campaign.sent_at = sent_at
    session.flush()
    is_sent = state(campaign, today) == "in-progress"
    if is_sent and not was_sent:
        return _send(session, campaign, now)
    if was_sent and not is_sent:
        return _unsend(session, campaign, today, now)
    return 0


def tick(session: Session, now: datetime | None = None) -> int:
    """Send every campaign whose date is reached (all collectivités). Idempotent."""
    now = now or clock.now()
    today = clock.local_date(now)
    due = session.scalars(
        select(Campaign).where(Campaign.sent_at.is_not(None), Campaign.sent_at <= today,
                               Campaign.status != "archived")
    ).all()  # fmt: skip
    return sum(_send(session, campaign, now) for campaign in due)
