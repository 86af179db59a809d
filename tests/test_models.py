"""Model rules the database enforces, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.models import Event, Housing, Letter
from portal.models.event import AppendOnlyError
from portal.models.zlv import STATUSES, is_allowed_status
from tests.builders import make_collectivite, make_housing, make_letter


def test_one_letter_per_campaign_housing_and_owner(session):
    letter, _, _ = make_letter(session)
    session.commit()
    session.add(
        Letter(
            collectivite_id=letter.collectivite_id, campaign_id=letter.campaign_id,
            housing_id=letter.housing_id, owner_id=letter.owner_id,
            token_hash="0" * 64, code_hash="1" * 64,
        )
    )  # fmt: skip
    with pytest.raises(IntegrityError):
        session.commit()


def test_token_hashes_are_unique(session):
    first, _, _ = make_letter(session)
    second, _, _ = make_letter(session)
    session.commit()
    second.token_hash = first.token_hash
    with pytest.raises(IntegrityError):
        session.commit()


def test_times_come_back_in_utc(session):
    collectivite = make_collectivite(session)
    paris = timezone(timedelta(hours=1))
    moment = datetime(2026, 3, 12, 10, 30, tzinfo=paris)
    event = Event(
        collectivite_id=collectivite.id, actor_kind="system", kind="test", created_at=moment
    )
    session.add(event)
    session.commit()
    session.expire_all()
    stored = session.get(Event, event.id).created_at
    assert stored == moment
    assert stored.utcoffset() == timedelta(0)


def test_naive_datetimes_are_refused(session):
    collectivite = make_collectivite(session)
    session.add(Event(collectivite_id=collectivite.id, actor_kind="system", kind="test",
                      created_at=datetime(2026, 1, 1)))  # fmt: skip
    with pytest.raises(Exception, match="naive datetime"):
        session.commit()


def test_events_are_append_only(session):
    collectivite = make_collectivite(session)
    event = Event(
        collectivite_id=collectivite.id,
        actor_kind="owner",
        kind="housing:status-updated",
        before={"status": "waiting"},
        after={"status": "first-contact"},
    )
    session.add(event)
    session.commit()
    event.kind = "something else"
    with pytest.raises(AppendOnlyError):
        session.commit()
    session.rollback()
    session.delete(event)
    with pytest.raises(AppendOnlyError):
        session.commit()


def test_event_actor_kind_is_checked(session):
    collectivite = make_collectivite(session)
    session.add(Event(collectivite_id=collectivite.id, actor_kind="robot", kind="x"))
    with pytest.raises(IntegrityError):
        session.commit()


def test_energy_label_is_checked(session):
    collectivite = make_collectivite(session)
    make_housing(session, collectivite, energy_label="C")
    session.commit()
    with pytest.raises(IntegrityError):
        make_housing(session, collectivite, energy_label="H")


def test_json_columns_round_trip(session):
    collectivite = make_collectivite(session, perimeter=["58194", "58086"],
                                     settings={"digest": "daily", "accents": "é’«»"})  # fmt: skip
    session.commit()
    session.expire_all()
    assert session.get(type(collectivite), collectivite.id).settings["accents"] == "é’«»"


def test_new_housing_is_not_followed_and_vacant(session):
    housing = make_housing(session, make_collectivite(session))
    session.commit()
    stored = session.scalar(select(Housing).where(Housing.id == housing.id))
    assert (stored.status, stored.sub_status, stored.occupancy) == ("never-contacted", None, "V")
    assert stored.created_at.tzinfo is not None
    assert stored.created_at <= datetime.now(UTC)


def test_zlv_status_pairs():
    assert list(STATUSES)[2] == "first-contact"
    assert STATUSES["blocked"][0] == "Suivi bloqué"
    assert is_allowed_status("first-contact", "En pré-accompagnement")
    assert is_allowed_status("waiting", None)
    assert not is_allowed_status("waiting", "En pré-accompagnement")
    assert not is_allowed_status("completed", "Succession en cours")
    assert not is_allowed_status("closed", None)
