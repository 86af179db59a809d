"""A campaign from a selection of housings: one letter per housing, to its principal owner.

Owners flagged "ne pas contacter" never get a letter, nor do housings with no principal
owner; the caller is told how many were left out and why. Letters are created without
codes: they get them when they are first printed (portal.letters.issue).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Campaign, Housing, HousingOwner, Letter, Owner
from portal.models.letter_template import DEFAULT_VARIANT

TITLE_MAX = 200


class CampaignError(ValueError):
    """Why a campaign cannot be created: "title", "empty"."""


@dataclass(frozen=True)
class Built:
    campaign: Campaign
    letters: int
    do_not_contact: int  # housings left out: their principal owner is not to be contacted
    no_owner: int  # housings left out: no principal owner known


def recipients(session: Session, collectivite_id: int,
               housing_ids: Iterable[int]) -> tuple[list[tuple[int, int]], int, int]:  # fmt: skip
    """(housing id, principal owner id) for the housings of this collectivité among
    `housing_ids`, and the counts left out (do-not-contact, no principal owner)."""
    wanted = set(housing_ids)
    pairs, do_not_contact, found = [], 0, set()
    chunk_size = 500
    ordered = sorted(wanted)
    for start in range(0, len(ordered), chunk_size):
        chunk = ordered[start : start + chunk_size]
        rows = session.execute(
            select(Housing.id, Owner.id, Owner.do_not_contact)
            .join(HousingOwner, (HousingOwner.housing_id == Housing.id) & (HousingOwner.rank == 1))
            .join(Owner, Owner.id == HousingOwner.owner_id)
            .where(
                Housing.collectivite_id == collectivite_id,
                Housing.id.in_(chunk),
                Owner.collectivite_id == collectivite_id,
            )
            .order_by(Housing.id)
        )
        for housing_id, owner_id, excluded in rows:
            if housing_id in found:  # two rank-1 owners: the first one gets the letter
                continue
            found.add(housing_id)
            if excluded:
                do_not_contact += 1
            else:
                pairs.append((housing_id, owner_id))
    known = _known(session, collectivite_id, ordered)
    return pairs, do_not_contact, len(known - found)


def _known(session: Session, collectivite_id: int, ids: list[int]) -> set[int]:
    known: set[int] = set()
    for start in range(0, len(ids), 500):
        known.update(session.scalars(
            select(Housing.id).where(Housing.collectivite_id == collectivite_id,
                                     Housing.id.in_(ids[start : start + 500]))
        ))  # fmt: skip
    return known


def create_campaign(session: Session, collectivite_id: int, agent_id: int | None, title: str,
                    description: str, sent_at: date | None,
                    housing_ids: Iterable[int]) -> Built:  # fmt: skip
    """Create the campaign and its letters (flushed, not committed)."""
    title = " ".join(title.split())
    if not title or len(title) > TITLE_MAX:
        raise CampaignError("title")
    pairs, do_not_contact, no_owner = recipients(session, collectivite_id, housing_ids)
    if not pairs:
        raise CampaignError("empty")
    campaign = Campaign(collectivite_id=collectivite_id, title=title,
                        description=description.strip(), sent_at=sent_at,
                        created_by_id=agent_id, status="draft")  # fmt: skip
    session.add(campaign)
    session.flush()
    session.execute(
        Letter.__table__.insert(),
        [{"collectivite_id": collectivite_id, "campaign_id": campaign.id, "housing_id": h,
          "owner_id": o, "variant": DEFAULT_VARIANT, "issue": 1} for h, o in pairs],
    )  # fmt: skip
    return Built(campaign, len(pairs), do_not_contact, no_owner)
