"""Every back-office read goes through here, scoped to one collectivité first."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import Agent, Campaign, Letter


def agent_by_email(session: Session, email: str) -> Agent | None:
    return session.scalar(select(Agent).where(Agent.email == email.strip().lower()))


def campaigns_with_counts(
    session: Session, collectivite_id: int
) -> list[tuple[Campaign, int, int]]:
    """The collectivité's campaigns, newest first, with letters sent and letters opened."""
    opened = func.count(Letter.first_visit_at)
    rows = session.execute(
        select(Campaign, func.count(Letter.id), opened)
        .outerjoin(Letter, Letter.campaign_id == Campaign.id)
        .where(Campaign.collectivite_id == collectivite_id)
        .group_by(Campaign.id)
        .order_by(Campaign.created_at.desc(), Campaign.id.desc())
    )
    return [(campaign, letters, visits) for campaign, letters, visits in rows]
