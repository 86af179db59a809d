"""Page experiments: a letter's arm is drawn at the first view of the page, written once,
and never changes; no running experiment of the letter's campaign, the standard texts."""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from scipy.stats import chisquare
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.experiments import exposure
from portal.experiments.exposure import arm_for, bucket, page_variant
from portal.models import Letter
from portal.models.experiment import ExperimentUnit
from tests.builders import make_campaign, make_collectivite, make_letter, make_owner
from tests.experiments.pages import make_page_experiment

NOW = datetime(2026, 12, 3, 9, 30, tzinfo=UTC)


def units(session) -> list[ExperimentUnit]:
    session.commit()  # a new transaction sees the other sessions' writes
    session.expire_all()
    return list(session.scalars(select(ExperimentUnit)))


@pytest.fixture
def campaign(session):
    return make_campaign(session, make_collectivite(session))


@pytest.fixture
def letter(session, campaign) -> Letter:
    owner = make_owner(session, campaign.collectivite, kind="Personne morale")
    letter, _token, _code = make_letter(session, campaign, owner=owner)
    session.commit()
    return letter


def test_no_experiment_standard_and_nothing_written(session, letter):
    assert page_variant(session, letter, "landing", now=NOW) == "standard"
    assert page_variant(session, letter, "results", now=NOW) == "standard"
    assert units(session) == []


def test_the_first_view_writes_the_unit_once_and_later_views_keep_its_arm(session, campaign,
                                                                         letter):  # fmt: skip
    experiment = make_page_experiment(session, [campaign])
    session.commit()
    first = page_variant(session, letter, "landing", now=NOW)
    expected = arm_for(experiment.arms, bucket(experiment.salt, experiment.id, letter.id))
    assert first == expected and first in ("standard", "simplified")
    for hours in (1, 2, 30):
        assert page_variant(session, letter, "landing", now=NOW + timedelta(hours=hours)) == first
    [unit] = units(session)
    assert (unit.experiment_id, unit.letter_id, unit.arm) == (experiment.id, letter.id, first)
    assert unit.stratum == f"campagne {campaign.id} × Personne morale"
    assert unit.assigned_at == unit.exposed_at
    assert unit.exposed_at.replace(tzinfo=UTC) == NOW  # the first view, not a later one


def test_the_arm_never_changes_whatever_the_weights_become(session, campaign, letter):
    experiment = make_page_experiment(session, [campaign])
    session.commit()
    first = page_variant(session, letter, "landing", now=NOW)
    other = "simplified" if first == "standard" else "standard"
    experiment.arms = [{"variant": other, "weight": 1}]  # what a frozen registry forbids
    session.commit()
    assert page_variant(session, letter, "landing", now=NOW) == first
    assert len(units(session)) == 1


def test_only_a_running_experiment_assigns(session, campaign, letter):
    experiment = make_page_experiment(session, [campaign], status="draft",
                                      arms=[{"variant": "simplified", "weight": 1}])  # fmt: skip
    session.commit()
    assert page_variant(session, letter, "landing", now=NOW) == "standard"
    assert units(session) == []
    experiment.status = "running"
    session.commit()
    assert page_variant(session, letter, "landing", now=NOW) == "simplified"
    experiment.status = "stopped"
    session.commit()
    assert page_variant(session, letter, "landing", now=NOW) == "standard"
    assert len(units(session)) == 1  # the unit stays, for the analysis


def test_other_pages_campaigns_and_collectivites_are_ignored(session, campaign, letter):
    only = [{"variant": "simplified", "weight": 1}]
    make_page_experiment(session, [campaign], page="results", arms=only)
    make_page_experiment(session, [make_campaign(session, campaign.collectivite)], arms=only)
    foreign = make_page_experiment(session, [make_campaign(session, make_collectivite(session))],
                                   arms=only)  # fmt: skip
    foreign.campaigns.append(campaign)  # another collectivité's experiment naming this campaign
    session.commit()
    assert page_variant(session, letter, "landing", now=NOW) == "standard"
    assert units(session) == []
    assert page_variant(session, letter, "results", now=NOW) == "simplified"
    assert [unit.arm for unit in units(session)] == ["simplified"]


def test_an_experiment_pooling_several_campaigns_assigns_each_letter(session, campaign, letter):
    second = make_campaign(session, campaign.collectivite)
    other, _token, _code = make_letter(session, second)
    make_page_experiment(session, [campaign, second], arms=[{"variant": "simplified",
                                                             "weight": 1}])  # fmt: skip
    session.commit()
    assert page_variant(session, letter, "landing", now=NOW) == "simplified"
    assert page_variant(session, other, "landing", now=NOW) == "simplified"
    assert sorted(unit.stratum.split(" × ")[0] for unit in units(session)) == sorted(
        [f"campagne {campaign.id}", f"campagne {second.id}"]
    )


def test_a_concurrent_first_view_wins_and_its_arm_is_read_back(app, session, campaign, letter,
                                                              monkeypatch):  # fmt: skip
    experiment = make_page_experiment(session, [campaign])
    session.commit()
    drawn = arm_for(experiment.arms, bucket(experiment.salt, experiment.id, letter.id))
    other = "simplified" if drawn == "standard" else "standard"

    def meanwhile(arms, number):  # another request writes the unit between read and write
        with Session(app.extensions["database"]) as concurrent:
            concurrent.add(ExperimentUnit(experiment_id=experiment.id, letter_id=letter.id,
                                          arm=other, stratum="s", assigned_at=NOW,
                                          exposed_at=NOW))  # fmt: skip
            concurrent.commit()
        return drawn

    monkeypatch.setattr(exposure, "arm_for", meanwhile)
    assert page_variant(session, letter, "landing", now=NOW) == other
    [unit] = units(session)
    assert unit.arm == other
    assert session.scalar(select(func.count()).select_from(ExperimentUnit)) == 1


# The draw ---------------------------------------------------------------------------------


def test_the_bucket_is_the_salted_hash_of_experiment_and_letter():
    assert bucket("sel", 1, 42) == int(hashlib.sha256(b"sel:1:42").hexdigest(), 16) % 10_000
    values = {bucket("sel", 1, 42), bucket("sel", 1, 43), bucket("sel", 2, 42),
              bucket("poivre", 1, 42)}  # fmt: skip
    assert len(values) >= 3 and all(0 <= value < 10_000 for value in values)


@pytest.mark.parametrize(
    ("weights", "number", "arm"),
    [((1, 1), 0, "a"), ((1, 1), 4999, "a"), ((1, 1), 5000, "b"), ((1, 1), 9999, "b"),
     ((1, 3), 2499, "a"), ((1, 3), 2500, "b"), ((1, 1, 1), 3333, "b"), ((1, 1, 1), 6666, "c")],
)  # fmt: skip
def test_buckets_map_to_the_weighted_ranges(weights, number, arm):
    arms = [{"variant": name, "weight": w} for name, w in zip("abc", weights, strict=False)]
    assert arm_for(arms, number) == arm


@pytest.mark.parametrize("arms", [[], [{"variant": "a", "weight": 0}], [{"variant": "a"}],
                                  [{"weight": 2}]])  # fmt: skip
def test_invalid_arms_fall_back_to_the_standard(arms):
    assert arm_for(arms, 10) == "standard"


@pytest.mark.parametrize("weights", [(1, 1), (1, 3), (2, 1, 1)])
def test_2000_letters_follow_the_weights(weights):
    arms = [{"variant": name, "weight": w} for name, w in zip("abc", weights, strict=False)]
    counts = Counter(arm_for(arms, bucket("un-sel-fixe", 7, letter_id))
                     for letter_id in range(1, 2001))  # fmt: skip
    expected = [2000 * w / sum(weights) for w in weights]
    observed = [counts[name] for name in "abc"[: len(weights)]]
    assert sum(observed) == 2000
    for seen, wanted in zip(observed, expected, strict=True):
        assert abs(seen - wanted) < 0.1 * 2000 / len(weights)  # loose, but not vacuous
    assert chisquare(observed, expected).pvalue > 0.001
    reversed_weights = list(reversed(expected))
    if reversed_weights != expected:  # the bound fails when the ranges are wrong
        assert chisquare(observed, reversed_weights).pvalue < 0.001
