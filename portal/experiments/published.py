"""What /stats publishes of the experiments: every experiment past its pre-registered
analysis date, whatever its result, with the effect on its primary metric and the interval;
« non concluant » when the interval contains zero. Aggregates only: an arm under 11 letters
is not shown, and then neither is the effect. A collectivité that asked not to be named is
not named here either."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.experiments.analysis import analyse
from portal.experiments.units import unit_key, unit_rows
from portal.models import Collectivite
from portal.models.experiment import Experiment

THRESHOLD = 11


@dataclass(frozen=True)
class Published:
    id: int
    title: str
    collectivite: str | None  # None: not named
    registration: dict
    registration_hash: str
    arms: list[dict]  # {"arm", "n", "rate", "ci"}; n and rate None when under 11
    comparisons: list[dict]  # {"arm", "diff", "diff_ci", "conclusive"}; [] when suppressed
    enough: bool


def finished(session: Session, today: date) -> list[Experiment]:
    return list(session.scalars(
        select(Experiment).where(Experiment.status.in_(("running", "stopped")),
                                 Experiment.registration.is_not(None),
                                 Experiment.analysis_date <= today)
        .order_by(Experiment.analysis_date.desc(), Experiment.id.desc())
    ))  # fmt: skip


def published(session: Session, experiment: Experiment, secret_key: str,
              named: bool) -> Published:  # fmt: skip
    frozen = experiment.registration or {}
    arms = [arm["variant"] for arm in frozen.get("arms", [])]
    weights = {arm["variant"]: arm["weight"] for arm in frozen.get("arms", [])}
    report = analyse(unit_rows(session, experiment, unit_key(secret_key)),
                     frozen["primary_metric"], arms=arms, weights=weights,
                     alpha=frozen.get("alpha", 0.05)).to_json()  # fmt: skip
    enough = all(arm["n"] >= THRESHOLD for arm in report["arms"]) and report["enough_data"]
    shown_arms = [
        {"arm": a["arm"], "n": a["n"] if a["n"] >= THRESHOLD else None,
         "rate": a["rate"] if enough else None, "ci": a["ci"] if enough else None}
        for a in report["arms"]
    ]  # fmt: skip
    comparisons = [
        {"arm": c["arm"], "diff": c["diff"], "diff_ci": c["diff_ci"], "conclusive": c["conclusive"]}
        for c in report["comparisons"]
    ] if enough else []  # fmt: skip
    name = session.get(Collectivite, experiment.collectivite_id).name if named else None
    title = frozen.get("title", experiment.title)
    return Published(experiment.id, title, name, frozen, experiment.registration_hash or "",
                     shown_arms, comparisons, enough)  # fmt: skip


def public_experiment(session: Session, experiment_id: int, today: date) -> Experiment | None:
    """An experiment whose pre-registration /stats may show: past its analysis date."""
    experiment = session.get(Experiment, experiment_id)
    if experiment is None or experiment.registration is None or experiment.analysis_date is None:
        return None
    return experiment if experiment.analysis_date <= today else None
