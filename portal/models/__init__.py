"""The data model. Importing this package registers every table on `Base.metadata`."""

from portal.models.agent_session import AgentLoginThrottle, AgentSession
from portal.models.base import Base
from portal.models.campaign import Campaign, Letter
from portal.models.collectivite import Agent, Collectivite
from portal.models.contact import CallbackRequest, OutboxMessage
from portal.models.event import Event, Note
from portal.models.housing import Housing, HousingOwner, Owner
from portal.models.ratelimit import RateLimitHit
from portal.models.response import Response

__all__ = [
    "Agent",
    "AgentLoginThrottle",
    "AgentSession",
    "Base",
    "CallbackRequest",
    "Campaign",
    "Collectivite",
    "Event",
    "Housing",
    "HousingOwner",
    "Letter",
    "Note",
    "OutboxMessage",
    "Owner",
    "RateLimitHit",
    "Response",
]
