"""The registry: every reason a draft cannot be launched, the launch that freezes it with
its hash, no edit afterwards, the copy as a new draft with a new salt."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime, timedelta

import pytest

from portal.config import ROOT
from portal.experiments import registry
from portal.experiments.registry import RegistryError
from tests.builders import make_campaign, make_collectivite
from tests.experiments.letters import TWO_ARMS, make_letter_experiment

CONTENT = ROOT / "guidance_content"
TODAY = date(2026, 12, 3)
NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
GOOD = {"title": "Courrier simplifié", "hypothesis": "Un courrier plus simple fait scanner.",
        "kind": "letter", "arms": TWO_ARMS, "primary_metric": "scan",
        "secondary_metrics": ["diagnostic"], "guardrail_metrics": ["opt_out"], "alpha": 0.05,
        "power": 0.8, "baseline_rate": 0.05, "planned_sample": 400,
        "analysis_date": TODAY + timedelta(days=60)}  # fmt: skip


@pytest.fixture
def campaign(session):
    return make_campaign(session, make_collectivite(session))


def draft(session, campaign, **changes):
    return registry.create_draft(session, campaign.collectivite_id, None, GOOD | changes,
                                 [campaign.id])  # fmt: skip


def codes(session, experiment) -> set[str]:
    return {p.code for p in registry.validate(session, experiment, CONTENT, today=TODAY)}


def test_a_complete_draft_has_no_problem(session, campaign):
    assert codes(session, draft(session, campaign)) == set()


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"title": " "}, "title-missing"),
        ({"hypothesis": ""}, "hypothesis-missing"),
        ({"kind": "page", "page": None}, "page-missing"),
        ({"arms": TWO_ARMS[:1]}, "arms-too-few"),
        ({"arms": [TWO_ARMS[0], TWO_ARMS[0]]}, "arms-duplicate"),
        ({"arms": [TWO_ARMS[0], {"variant": "nope", "weight": 1}]}, "arms-unknown"),
        ({"arms": [TWO_ARMS[0], {"variant": "simplified", "weight": 0}]}, "arms-weights"),
        ({"arms": [TWO_ARMS[0], {"variant": "simplified", "weight": 0.5}]}, "arms-weights"),
        ({"primary_metric": None}, "primary-missing"),
        ({"primary_metric": "opt_out"}, "primary-missing"),
        ({"secondary_metrics": ["scan"]}, "secondary-invalid"),
        ({"guardrail_metrics": ["x"]}, "guardrail-invalid"),
        ({"alpha": 0.5}, "alpha-range"),
        ({"power": 0.2}, "power-range"),
        ({"planned_sample": 3}, "sample-too-small"),
        ({"analysis_date": TODAY}, "analysis-date-past"),
    ],
)
def test_each_problem_is_found(session, campaign, changes, code):
    assert code in codes(session, draft(session, campaign, **changes))


def test_page_experiments_check_the_pages_variants(session, campaign):
    experiment = draft(session, campaign, kind="page", page="results",
                       arms=[{"variant": "standard", "weight": 1},
                             {"variant": "social-norm", "weight": 1}])  # fmt: skip
    assert "arms-unknown" in codes(session, experiment)  # social-norm is a landing variant
    registry.update_draft(session, experiment, {"page": "landing"}, [campaign.id])
    assert codes(session, experiment) == set()
    registry.launch(session, experiment, CONTENT, now=NOW, today=TODAY)
    assert experiment.registration["code_version"] == "portal.experiments.exposure v1"
    assert experiment.registration["page"] == "landing"


def test_no_campaign_or_a_campaign_already_in_a_running_experiment(session, campaign):
    assert "campaigns-missing" in codes(session, registry.create_draft(
        session, campaign.collectivite_id, None, GOOD, []))  # fmt: skip
    make_letter_experiment(session, [campaign])
    assert "campaigns-taken" in codes(session, draft(session, campaign))
    other_town = make_campaign(session, make_collectivite(session))
    assert registry.create_draft(session, campaign.collectivite_id, None, GOOD,
                                 [other_town.id]).campaigns == []  # fmt: skip


def test_launch_freezes_the_registration_and_its_hash(session, campaign):
    experiment = draft(session, campaign)
    registry.launch(session, experiment, CONTENT, now=NOW, today=TODAY)
    assert experiment.status == "running" and experiment.launched_at == NOW
    frozen = dict(experiment.registration)
    assert frozen["arms"] == TWO_ARMS and frozen["salt"] == experiment.salt
    assert frozen["campaigns"] == [{"id": campaign.id, "title": campaign.title}]
    assert experiment.registration_hash == registry.registration_hash(frozen)
    canonical = registry.canonical_json(frozen)
    assert hashlib.sha256(canonical.encode()).hexdigest() == experiment.registration_hash
    assert json.loads(canonical) == frozen
    assert canonical.startswith('{"alpha":0.05,"analysis_date":"2027-02-01","arms":[{"variant"')
    assert "Courrier simplifié" in canonical  # UTF-8 kept, not \u-escaped
    assert frozen["code_version"] == "portal.experiments.assign v1"
    assert len(experiment.registration_hash) == 64
    with pytest.raises(RegistryError, match="frozen"):
        registry.update_draft(session, experiment, {"title": "Autre"}, [campaign.id])
    with pytest.raises(RegistryError, match="frozen"):
        registry.launch(session, experiment, CONTENT, now=NOW, today=TODAY)
    assert experiment.registration == frozen and experiment.title == GOOD["title"]


def test_an_invalid_draft_is_not_launched(session, campaign):
    experiment = draft(session, campaign, primary_metric=None)
    with pytest.raises(RegistryError) as refused:
        registry.launch(session, experiment, CONTENT, now=NOW, today=TODAY)
    assert [p.code for p in refused.value.problems] == ["primary-missing"]
    assert experiment.status == "draft" and experiment.registration is None


def test_stop_then_copy_as_a_new_draft(session, campaign):
    experiment = draft(session, campaign)
    with pytest.raises(RegistryError, match="not-running"):
        registry.stop(session, experiment, now=NOW)
    registry.launch(session, experiment, CONTENT, now=NOW, today=TODAY)
    registry.stop(session, experiment, now=NOW)
    assert experiment.status == "stopped" and experiment.stopped_at == NOW
    copy = registry.copy_as_draft(session, experiment, None)
    assert copy.status == "draft" and copy.salt != experiment.salt
    assert copy.arms == experiment.arms and copy.campaigns == experiment.campaigns
    assert copy.registration is None


def test_results_hidden_before_the_analysis_date(session, campaign):
    experiment = draft(session, campaign)
    registry.launch(session, experiment, CONTENT, now=NOW, today=TODAY)
    assert not registry.results_visible(experiment, TODAY)
    assert registry.results_visible(experiment, experiment.analysis_date)
