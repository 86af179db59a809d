"""Letter experiments for tests: campaigns with letters, and a running experiment on them."""

from __future__ import annotations

import secrets
from datetime import date, timedelta

from sqlalchemy.orm import Session

from portal.experiments.registry import registration_hash, registration_of
from portal.models import Campaign
from portal.models.experiment import Experiment
from tests.builders import make_letter, make_owner

TWO_ARMS = [{"variant": "standard", "weight": 1}, {"variant": "simplified", "weight": 1}]


def add_letters(session: Session, campaign: Campaign, count: int, kinds=("Particulier",)):
    letters = []
    for i in range(count):
        owner = make_owner(session, campaign.collectivite, kind=kinds[i % len(kinds)])
        letters.append(make_letter(session, campaign, owner=owner)[0])
    return letters


def make_letter_experiment(session: Session, campaigns: list[Campaign], **fields) -> Experiment:
    values = {"collectivite_id": campaigns[0].collectivite_id, "kind": "letter",
              "title": "Courrier simplifié", "hypothesis": "Plus simple, plus de retours.",
              "arms": TWO_ARMS, "status": "running", "salt": secrets.token_hex(16),
              "primary_metric": "scan", "secondary_metrics": ["diagnostic"],
              "guardrail_metrics": ["opt_out"], "planned_sample": 100,
              "analysis_date": date.today() + timedelta(days=60)}  # fmt: skip
    experiment = Experiment(**(values | fields))
    experiment.campaigns = list(campaigns)
    session.add(experiment)
    session.flush()
    return experiment


def freeze(experiment: Experiment, launched_at) -> Experiment:
    """What `registry.launch` records (the frozen registration, its hash, the launch time),
    without its checks: a test's experiment may be launched in the past."""
    experiment.registration = registration_of(experiment, launched_at)
    experiment.registration_hash = registration_hash(experiment.registration)
    experiment.launched_at = launched_at
    return experiment
