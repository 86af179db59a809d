"""A campaign's figures and its return count by ZLV's rule."""

from __future__ import annotations

from datetime import UTC, date, datetime

from portal.campaigns.returns import figures, return_count
from portal.models import CallbackRequest, Event, Response
from tests.builders import make_campaign, make_collectivite, make_letter

SENT = date(2026, 11, 2)
BEFORE = datetime(2026, 11, 1, 22, 30, tzinfo=UTC)  # 23:30 in Paris, the day before
AFTER = datetime(2026, 11, 1, 23, 30, tzinfo=UTC)  # 00:30 in Paris, on the send date


def _housing(session, campaign, status, events):
    letter, _, _ = make_letter(session, campaign)
    letter.housing.status = status
    for kind, at in events:
        session.add(Event(collectivite_id=campaign.collectivite_id, actor_kind="agent",
                          kind=kind, housing_id=letter.housing_id, created_at=at))  # fmt: skip
    session.flush()
    return letter


def test_return_count_follows_zlvs_rule(session):
    campaign = make_campaign(session, make_collectivite(session), sent_at=SENT)
    status, occupancy = "housing:status-updated", "housing:occupancy-updated"
    counted = _housing(session, campaign, "first-contact", [(status, AFTER)])
    _housing(session, campaign, "first-contact", [(status, BEFORE)])  # event before sending
    _housing(session, campaign, "waiting", [(status, AFTER)])  # status 1: not a return
    _housing(session, campaign, "blocked", [(occupancy, AFTER), (occupancy, AFTER)])  # once
    _housing(session, campaign, "completed", [("housing:note-added", AFTER)])  # other kind
    never = _housing(session, campaign, "never-contacted", [])

    assert return_count(session, campaign) == 2

    never.first_visit_at = AFTER
    session.add(
        Response(collectivite_id=campaign.collectivite_id, letter_id=counted.id, submitted_at=AFTER)
    )
    session.add(CallbackRequest(collectivite_id=campaign.collectivite_id, letter_id=never.id,
                                phone="0123456789", consent_at=AFTER))  # fmt: skip
    session.flush()
    result = figures(session, campaign)
    assert (result.housings, result.letters, result.returns) == (6, 6, 2)
    assert (result.scans, result.answers, result.callbacks) == (1, 1, 1)
    assert result.rate == 2 / 6


def test_no_rate_before_a_send_date(session):
    campaign = make_campaign(session, make_collectivite(session), sent_at=None)
    letter = _housing(session, campaign, "first-contact", [("housing:status-updated", AFTER)])
    assert letter.campaign_id == campaign.id
    assert return_count(session, campaign) == 0
    assert figures(session, campaign).rate is None
