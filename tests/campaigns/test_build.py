"""Building a campaign from a selection of housings."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.campaigns.build import CampaignError, create_campaign
from portal.models import HousingOwner, Letter
from tests.builders import make_collectivite, make_housing, make_owner


def _owned(session, collectivite, rank=1, **owner_fields):
    housing = make_housing(session, collectivite)
    owner = make_owner(session, collectivite, **owner_fields)
    session.add(HousingOwner(housing=housing, owner=owner, rank=rank))
    session.flush()
    return housing, owner


def test_one_letter_per_housing_to_its_principal_owner(session):
    collectivite = make_collectivite(session)
    housing, owner = _owned(session, collectivite)
    secondary = make_owner(session, collectivite)
    session.add(HousingOwner(housing=housing, owner=secondary, rank=2))
    other, other_owner = _owned(session, collectivite)

    built = create_campaign(session, collectivite.id, None, "  Relance   2026 ", "", None,
                            [housing.id, other.id])  # fmt: skip

    assert (built.letters, built.do_not_contact, built.no_owner) == (2, 0, 0)
    assert built.campaign.title == "Relance 2026"
    letters = session.scalars(select(Letter).where(Letter.campaign_id == built.campaign.id))
    pairs = {(letter.housing_id, letter.owner_id, letter.seed) for letter in letters}
    assert pairs == {(housing.id, owner.id, None), (other.id, other_owner.id, None)}


def test_do_not_contact_and_ownerless_housings_are_left_out(session):
    collectivite = make_collectivite(session)
    kept, _ = _owned(session, collectivite)
    flagged, _ = _owned(session, collectivite, do_not_contact=True)
    ownerless = make_housing(session, collectivite)
    former, _ = _owned(session, collectivite, rank=0)  # only a previous owner known

    built = create_campaign(session, collectivite.id, None, "Campagne", "", None,
                            [kept.id, flagged.id, ownerless.id, former.id])  # fmt: skip

    assert (built.letters, built.do_not_contact, built.no_owner) == (1, 1, 2)
    housings = session.scalars(select(Letter.housing_id).where(
        Letter.campaign_id == built.campaign.id)).all()  # fmt: skip
    assert housings == [kept.id]


def test_another_collectivites_housings_are_ignored(session):
    mine, theirs = make_collectivite(session), make_collectivite(session)
    housing, _ = _owned(session, mine)
    foreign, _ = _owned(session, theirs)

    built = create_campaign(session, mine.id, None, "Campagne", "", None,
                            [housing.id, foreign.id])  # fmt: skip

    assert built.letters == 1
    assert built.no_owner == 0  # a foreign id is not "a housing of ours without owner"


@pytest.mark.parametrize(("title", "ids", "reason"), [
    ("   ", None, "title"), ("x" * 201, None, "title"), ("Campagne", [], "empty"),
])  # fmt: skip
def test_refusals(session, title, ids, reason):
    collectivite = make_collectivite(session)
    housing, _ = _owned(session, collectivite)
    with pytest.raises(CampaignError) as refused:
        create_campaign(session, collectivite.id, None, title, "", None,
                        [housing.id] if ids is None else ids)  # fmt: skip
    assert str(refused.value) == reason
