"""A page experiment for tests: running on one page, pooling the given campaigns."""

from __future__ import annotations

import secrets

from sqlalchemy.orm import Session

from portal.models import Campaign
from portal.models.experiment import Experiment

HALF_AND_HALF = [{"variant": "standard", "weight": 1}, {"variant": "simplified", "weight": 1}]


def make_page_experiment(session: Session, campaigns: list[Campaign], page: str = "landing",
                         **fields) -> Experiment:  # fmt: skip
    values = {"collectivite_id": campaigns[0].collectivite_id, "kind": "page", "page": page,
              "title": f"Textes de la page {page}", "arms": HALF_AND_HALF, "status": "running",
              "salt": secrets.token_hex(16), "primary_metric": "diagnostic"}  # fmt: skip
    experiment = Experiment(**(values | fields))
    experiment.campaigns = list(campaigns)
    session.add(experiment)
    session.flush()
    return experiment
