"""The experiments of one collectivité, read for its admins (every query scoped to it), and
what the analysis page shows: health always, results from the analysis date on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.experiments import power, registry
from portal.experiments.analysis import analyse, funnel
from portal.experiments.metrics import FUNNEL
from portal.experiments.units import unit_key, unit_rows
from portal.models import Campaign, Letter
from portal.models.experiment import Experiment, ExperimentUnit


def experiments_of(session: Session, collectivite_id: int) -> list[Experiment]:
    return list(session.scalars(
        select(Experiment).where(Experiment.collectivite_id == collectivite_id)
        .order_by(Experiment.created_at.desc(), Experiment.id.desc())
    ))  # fmt: skip


def experiment_of(session: Session, collectivite_id: int, experiment_id: int) -> Experiment | None:
    return session.scalar(
        select(Experiment).where(Experiment.id == experiment_id,
                                 Experiment.collectivite_id == collectivite_id)
    )  # fmt: skip


def campaigns_of(session: Session, collectivite_id: int) -> list[Campaign]:
    return list(session.scalars(
        select(Campaign).where(Campaign.collectivite_id == collectivite_id)
        .order_by(Campaign.created_at.desc(), Campaign.id.desc())
    ))  # fmt: skip


@dataclass(frozen=True)
class Health:
    assigned: int  # letters with an arm (units)
    printed: int  # of which printed (codes issued)
    revoked: int  # of which revoked (NPAI or other)
    npai: int
    owners_in_several_arms: int  # contamination: one owner, letters in different arms
    days: int | None  # days since the launch


def health(session: Session, experiment: Experiment, today: date) -> Health:
    scoped = (ExperimentUnit.experiment_id == experiment.id,
              Letter.collectivite_id == experiment.collectivite_id)  # fmt: skip
    assigned, printed, revoked = session.execute(
        select(func.count(Letter.id), func.count(Letter.seed), func.count(Letter.revoked_at))
        .join(ExperimentUnit, ExperimentUnit.letter_id == Letter.id).where(*scoped)
    ).one()  # fmt: skip
    npai = session.scalar(
        select(func.count(Letter.id)).join(ExperimentUnit, ExperimentUnit.letter_id == Letter.id)
        .where(*scoped, Letter.revoked_reason == "npai")
    ) or 0  # fmt: skip
    arms_per_owner = (
        select(Letter.owner_id).join(ExperimentUnit, ExperimentUnit.letter_id == Letter.id)
        .where(*scoped).group_by(Letter.owner_id)
        .having(func.count(ExperimentUnit.arm.distinct()) > 1)
    ).subquery()  # fmt: skip
    several = session.scalar(select(func.count()).select_from(arms_per_owner)) or 0
    days = (today - experiment.launched_at.date()).days if experiment.launched_at else None
    return Health(assigned, printed, revoked, npai, several, days)


def analysis(session: Session, experiment: Experiment, secret_key: str) -> dict:
    """The reports on every metric of the pre-registration (primary, secondary, guardrails)
    and the funnel, as the CLI would print them from the exported units."""
    frozen = experiment.registration or {}
    arms_spec = frozen.get("arms") or experiment.arms or []
    arms = [arm["variant"] for arm in arms_spec]
    weights = {arm["variant"]: arm["weight"] for arm in arms_spec}
    alpha = frozen.get("alpha", experiment.alpha)
    units = unit_rows(session, experiment, unit_key(secret_key))

    def report(metric):
        return analyse(units, metric, arms=arms, weights=weights, alpha=alpha).to_json()

    primary = frozen.get("primary_metric", experiment.primary_metric)
    return {
        "units": len(units),
        "primary": report(primary) if primary else None,
        "secondary": [report(m) for m in frozen.get("secondary_metrics",
                                                    experiment.secondary_metrics or [])],
        "guardrails": [report(m) for m in frozen.get("guardrail_metrics",
                                                     experiment.guardrail_metrics or [])],
        "funnel": funnel(units, FUNNEL, arms),
    }  # fmt: skip


def export_units(session: Session, experiment: Experiment, secret_key: str):
    return unit_rows(session, experiment, unit_key(secret_key))


def results_visible(experiment: Experiment, today: date) -> bool:
    return registry.results_visible(experiment, today)


def planned_mde(registration: dict) -> float | None:
    """The smallest rise the pre-registered letters detect (alpha, power, weights and
    expected rate as registered); None when they do not allow the calculation."""
    weights = [arm.get("weight") for arm in registration.get("arms") or []]
    try:
        return power.minimum_detectable_effect(
            registration.get("baseline_rate"), registration.get("planned_sample"),
            alpha=registration.get("alpha"), power=registration.get("power"), weights=weights,
        )  # fmt: skip
    except (TypeError, ValueError):
        return None


def experiment_mde(experiment: Experiment) -> float | None:
    """As registered once launched; from the draft's current plan before."""
    if experiment.registration:
        return planned_mde(experiment.registration)
    names = ("arms", "baseline_rate", "planned_sample", "alpha", "power")
    return planned_mde({name: getattr(experiment, name) for name in names})


def frozen_dates(registration: dict) -> tuple[date | None, datetime | None]:
    """The analysis date and the launch as the registration froze them."""
    analysis, launched = registration.get("analysis_date"), registration.get("launched_at")
    return (date.fromisoformat(analysis) if analysis else None,
            datetime.fromisoformat(launched) if launched else None)  # fmt: skip
