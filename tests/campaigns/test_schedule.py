"""The send date: housings move to "En attente de retour" only once it is reached."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, select

from portal.campaigns import schedule
from portal.models import Event, HousingOwner, Letter
from tests.builders import make_agent, make_campaign, make_collectivite, make_housing, make_owner

DAY = date(2026, 12, 2)
NOON = datetime(2026, 12, 2, 11, tzinfo=UTC)  # noon in Paris


def _campaign(session, sent_at, housings=2, collectivite=None):
    collectivite = collectivite or make_collectivite(session)
    campaign = make_campaign(session, collectivite, sent_at=sent_at, status="draft")
    for _ in range(housings):
        housing, owner = make_housing(session, collectivite), make_owner(session, collectivite)
        session.add_all([HousingOwner(housing=housing, owner=owner, rank=1),
                         Letter(collectivite=collectivite, campaign=campaign, housing=housing,
                                owner=owner)])  # fmt: skip
    session.flush()
    return campaign


def _statuses(session, campaign):
    return sorted(letter.housing.status for letter in session.scalars(
        select(Letter).where(Letter.campaign_id == campaign.id)))  # fmt: skip


def _events(session):
    return session.scalar(select(func.count(Event.id)))


def test_state_follows_the_send_date():
    campaign = schedule.Campaign(status="draft", sent_at=None)
    assert schedule.label(campaign, DAY) == "Envoi en attente"
    campaign.sent_at = date(2026, 12, 3)
    assert schedule.state(campaign, DAY) == "draft"
    campaign.sent_at = DAY
    assert schedule.label(campaign, DAY) == "Envoyée"
    campaign.status = "archived"
    assert schedule.label(campaign, DAY) == "Archivée"


def test_tick_moves_housings_on_the_send_date_once(session):
    future = _campaign(session, date(2026, 12, 3))
    due = _campaign(session, DAY)

    assert schedule.tick(session, NOON) == 2
    assert _statuses(session, due) == ["waiting", "waiting"]
    assert _statuses(session, future) == ["never-contacted", "never-contacted"]
    events = session.scalars(select(Event)).all()
    assert {(e.actor_kind, e.kind, e.before["status"], e.after["status"]) for e in events} == {
        ("system", "housing:status-updated", "never-contacted", "waiting")
    }
    assert schedule.tick(session, NOON) == 0  # idempotent: nothing moves, no new event
    assert _events(session) == 2


def test_tick_leaves_followed_housings_alone(session):
    campaign = _campaign(session, DAY, housings=1)
    letter = session.scalars(select(Letter).where(Letter.campaign_id == campaign.id)).one()
    letter.housing.status = "first-contact"
    session.flush()
    assert schedule.tick(session, NOON) == 0
    assert _statuses(session, campaign) == ["first-contact"]


def test_moving_the_date_later_reverts_untouched_housings(session):
    campaign = _campaign(session, None)
    assert schedule.set_send_date(session, campaign, DAY, NOON) == 2
    assert _statuses(session, campaign) == ["waiting", "waiting"]

    touched = session.scalars(select(Letter).where(Letter.campaign_id == campaign.id)).first()
    agent = make_agent(session, campaign.collectivite)
    touched.housing.status = "first-contact"
    session.add(
        Event(
            collectivite_id=campaign.collectivite_id,
            actor_kind="agent",
            agent_id=agent.id,
            kind="housing:status-updated",
            housing_id=touched.housing_id,
            created_at=NOON,
            before={"status": "waiting"},
            after={"status": "first-contact"},
        )
    )
    session.flush()  # fmt: skip

    assert schedule.set_send_date(session, campaign, date(2027, 1, 15), NOON) == 1
    assert _statuses(session, campaign) == ["first-contact", "never-contacted"]
    assert schedule.set_send_date(session, campaign, date(2027, 1, 20), NOON) == 0


def test_another_sent_campaign_keeps_its_housings_waiting(session):
    first = _campaign(session, None, housings=1)
    letter = session.scalars(select(Letter).where(Letter.campaign_id == first.id)).one()
    second = make_campaign(session, first.collectivite, sent_at=None, status="draft")
    session.add(Letter(collectivite=first.collectivite, campaign=second,
                       housing=letter.housing, owner=letter.owner))  # fmt: skip
    session.flush()
    schedule.set_send_date(session, first, DAY, NOON)
    schedule.set_send_date(session, second, DAY, NOON)  # already waiting: nothing moves

    assert schedule.set_send_date(session, second, None, NOON) == 0
    assert schedule.set_send_date(session, first, None, NOON) == 1
    assert _statuses(session, first) == ["never-contacted"]
