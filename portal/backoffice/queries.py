"""Every back-office read goes through here, scoped to one collectivité first."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal import clock
from portal.models import Agent, AgentSession, Campaign, Letter


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


def campaign_with_count(
    session: Session, collectivite_id: int, campaign_id: int
) -> tuple[Campaign, int] | None:
    """One of the collectivité's campaigns with its number of letters; None otherwise."""
    row = session.execute(
        select(Campaign, func.count(Letter.id))
        .outerjoin(Letter, Letter.campaign_id == Campaign.id)
        .where(Campaign.id == campaign_id, Campaign.collectivite_id == collectivite_id)
        .group_by(Campaign.id)
    ).first()
    return (row[0], row[1]) if row else None


def agents_of(
    session: Session, collectivite_id: int, active_since: datetime
) -> list[tuple[Agent, int]]:
    """The collectivité's agents, by name, each with their number of open sessions (not
    ended, not expired, used since `active_since`)."""
    moment = clock.now()
    open_sessions = (
        select(func.count(AgentSession.id))
        .where(
            AgentSession.agent_id == Agent.id,
            AgentSession.ended_at.is_(None),
            AgentSession.expires_at > moment,
            AgentSession.last_seen_at > active_since,
        )
        .correlate(Agent)
        .scalar_subquery()
    )
    rows = session.execute(
        select(Agent, open_sessions)
        .where(Agent.collectivite_id == collectivite_id)
        .order_by(Agent.full_name, Agent.email)
    )
    return [(agent, count) for agent, count in rows]


def agent_of(session: Session, collectivite_id: int, agent_id: int) -> Agent | None:
    """One of the collectivité's agents; None for an agent of another collectivité."""
    return session.scalar(
        select(Agent).where(Agent.id == agent_id, Agent.collectivite_id == collectivite_id)
    )
