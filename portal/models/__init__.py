"""The data model. Importing this package registers every table on `Base.metadata`."""

from portal.models.agent_session import AgentLoginThrottle, AgentSession
from portal.models.audit import AccessLog
from portal.models.base import Base
from portal.models.campaign import Campaign, Letter
from portal.models.collectivite import Agent, Collectivite, CollectiviteLogo
from portal.models.contact import CallbackRequest, OutboxMessage
from portal.models.event import Event, Note
from portal.models.experiment import Experiment, ExperimentUnit, experiment_campaign
from portal.models.housing import Housing, HousingOwner, Owner
from portal.models.job import Job, JobFile
from portal.models.letter_template import LetterTemplate, SignatureImage
from portal.models.precision import HousingPrecision
from portal.models.ratelimit import LookupFailureHour, RateLimitHit
from portal.models.response import Response, ResponseChange, ResponseRecommendation

__all__ = [
    "AccessLog",
    "Agent",
    "AgentLoginThrottle",
    "AgentSession",
    "Base",
    "CallbackRequest",
    "Campaign",
    "Collectivite",
    "CollectiviteLogo",
    "Event",
    "Experiment",
    "ExperimentUnit",
    "Housing",
    "HousingOwner",
    "HousingPrecision",
    "Job",
    "JobFile",
    "Letter",
    "LetterTemplate",
    "LookupFailureHour",
    "Note",
    "OutboxMessage",
    "Owner",
    "RateLimitHit",
    "Response",
    "ResponseChange",
    "ResponseRecommendation",
    "SignatureImage",
    "experiment_campaign",
]
