"""Whether the letter of this browser session still opens, and what its landing shows.

The landing is the page every QR scan leads to, thousands of times an hour when a
campaign's letters arrive. It is served from the page cache (portal.pagecache): the page
of every letter of a campaign is the same in a given language but for the owner's own
facts (the dwelling's address, the date of their answer), so one rendering serves them
all. This module answers, in one query through the request's database session, whether
the letter is still usable (not revoked, not expired), what makes the shape of its page
(the collectivité and campaign with their `updated_at` stamps, where the owner stands: not
started, started, submitted) and the owner's own facts, filled in on each request.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Text, and_, bindparam, cast, func, literal_column, select
from sqlalchemy.orm import Session

from portal.models import Campaign, Collectivite, Housing, Letter, Response

log = logging.getLogger(__name__)


LANDING_STATE = (
    select(
        Letter.revoked_at.is_not(None),
        Letter.revoked_reason,
        and_(Campaign.letters_expire_at.is_not(None), Campaign.letters_expire_at <= func.now()),
        Collectivite.id, Collectivite.updated_at, Campaign.id, Campaign.updated_at,
        # Answers saved: an exit without answers leaves "{}" (the same text on both databases).
        func.coalesce(func.length(cast(Response.answers, Text)), literal_column("0"))
        > literal_column("2"),
        Housing.address_lines, Response.submitted_at,
    )
    .join(Campaign, Campaign.id == Letter.campaign_id)
    .join(Collectivite, Collectivite.id == Campaign.collectivite_id)
    .join(Housing, Housing.id == Letter.housing_id)
    .outerjoin(Response, Response.letter_id == Letter.id)
    .where(Letter.id == bindparam("letter_id"))
)  # fmt: skip


class PageShape(NamedTuple):
    """What the landing of a letter shares with every letter of its campaign in the same
    language: the page cache's key is made of these fields and the language, nothing else."""

    collectivite_id: int
    collectivite_updated_at: datetime
    campaign_id: int
    campaign_updated_at: datetime
    progress: str  # "new", "started" (answers saved) or "submitted"


class LandingState(NamedTuple):
    """A letter's landing: its page's shape and the owner's own facts."""

    shape: PageShape
    address: str
    submitted_at: datetime | None


def landing_state(session: Session, letter_id: object) -> LandingState | None:
    """What the landing shows of this letter, or None when the letter does not open."""
    if not isinstance(letter_id, int):
        return None
    row = session.execute(LANDING_STATE, {"letter_id": letter_id}).one_or_none()
    if row is None:
        return None
    revoked, reason, expired, *stamps, answered, address_lines, submitted_at = row
    if revoked:
        log.info("letter %s refused: revoked (%s)", letter_id, reason)
        return None
    if expired:
        log.info("letter %s refused: expired", letter_id)
        return None
    progress = "submitted" if submitted_at else "started" if answered else "new"
    return LandingState(
        shape=PageShape(*stamps, progress),
        address=", ".join(address_lines or ()),
        submitted_at=submitted_at,
    )
