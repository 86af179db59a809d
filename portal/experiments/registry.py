"""The experiments registry: drafts, their checks, the launch that freezes them, the stop.

A draft can be edited freely. `launch` checks it, then copies everything that defines the
trial into `registration` (the pre-registration as launched) with the SHA-256 of its
canonical JSON, and the experiment runs: from then on nothing that defines it changes (a
change is a new experiment, made with `copy_as_draft`, with a new salt). Problems are codes
with their parameters; the back-office words them (portal/backoffice/experiment_forms.py).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from portal.experiments.assign import CODE_VERSION
from portal.experiments.metrics import METRICS, PRIMARY_METRICS
from portal.experiments.wordings import letter_variants, page_variants
from portal.models import Campaign, Letter
from portal.models.experiment import (
    EXPERIMENT_KINDS,
    EXPERIMENT_PAGES,
    Experiment,
    experiment_campaign,
)

# The code that draws the arms, recorded in the pre-registration: letters are dealt at
# generation (portal.experiments.assign), page visitors at their first view (exposure).
PAGE_CODE_VERSION = "portal.experiments.exposure v1"

EDITABLE = ("title", "hypothesis", "kind", "page", "arms", "primary_metric",
            "secondary_metrics", "guardrail_metrics", "alpha", "power", "baseline_rate",
            "planned_sample", "analysis_date")  # fmt: skip


@dataclass(frozen=True)
class Problem:
    code: str  # e.g. "arms-too-few"; the field it concerns is its first word
    field: str
    params: dict = field(default_factory=dict)


class RegistryError(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(", ".join(p.code for p in problems))


def _campaigns(session: Session, collectivite_id: int, ids) -> list[Campaign]:
    return list(session.scalars(
        select(Campaign).where(Campaign.collectivite_id == collectivite_id,
                               Campaign.id.in_(list(ids or [])))
        .order_by(Campaign.id)
    ))  # fmt: skip


def create_draft(session: Session, collectivite_id: int, agent_id: int | None,
                 fields: dict, campaign_ids=()) -> Experiment:  # fmt: skip
    experiment = Experiment(collectivite_id=collectivite_id, created_by_id=agent_id,
                            salt=secrets.token_hex(16), status="draft")  # fmt: skip
    _apply(session, experiment, fields, campaign_ids)
    session.add(experiment)
    session.flush()
    return experiment


def update_draft(session: Session, experiment: Experiment, fields: dict,
                 campaign_ids=()) -> None:  # fmt: skip
    if experiment.status != "draft":
        raise RegistryError([Problem("frozen", "status")])
    _apply(session, experiment, fields, campaign_ids)
    session.flush()


def _apply(session, experiment: Experiment, fields: dict, campaign_ids) -> None:
    for name in EDITABLE:
        if name in fields:
            setattr(experiment, name, fields[name])
    if experiment.kind != "page":
        experiment.page = None
    experiment.campaigns = _campaigns(session, experiment.collectivite_id, campaign_ids)


def variants_for(experiment: Experiment, content_root: str | Path) -> dict:
    if experiment.kind == "page":
        return page_variants(str(content_root), experiment.page) if experiment.page else {}
    return letter_variants(str(content_root))


def validate(session: Session, experiment: Experiment, content_root: str | Path, *,
             today: date) -> list[Problem]:  # fmt: skip
    """What stops this draft from being launched (nothing: an empty list)."""
    problems = []
    if not (experiment.title or "").strip():
        problems.append(Problem("title-missing", "title"))
    if not (experiment.hypothesis or "").strip():
        problems.append(Problem("hypothesis-missing", "hypothesis"))
    if experiment.kind not in EXPERIMENT_KINDS:
        problems.append(Problem("kind-unknown", "kind"))
    elif experiment.kind == "page" and experiment.page not in EXPERIMENT_PAGES:
        problems.append(Problem("page-missing", "page"))
    problems += _arm_problems(experiment, variants_for(experiment, content_root))
    if experiment.primary_metric not in PRIMARY_METRICS:
        problems.append(Problem("primary-missing", "primary_metric"))
    secondary = set(experiment.secondary_metrics or [])
    if not secondary <= set(METRICS) or experiment.primary_metric in secondary:
        problems.append(Problem("secondary-invalid", "secondary_metrics"))
    if not set(experiment.guardrail_metrics or []) <= set(METRICS):
        problems.append(Problem("guardrail-invalid", "guardrail_metrics"))
    if not (experiment.alpha is not None and 0 < experiment.alpha <= 0.2):
        problems.append(Problem("alpha-range", "alpha"))
    if not (experiment.power is not None and 0.5 <= experiment.power <= 0.99):
        problems.append(Problem("power-range", "power"))
    arms = len(experiment.arms or [])
    if not experiment.planned_sample or experiment.planned_sample < 2 * max(arms, 2):
        problems.append(
            Problem("sample-too-small", "planned_sample", {"minimum": 2 * max(arms, 2)})
        )
    if experiment.analysis_date is None or experiment.analysis_date <= today:
        problems.append(Problem("analysis-date-past", "analysis_date"))
    problems += _campaign_problems(session, experiment)
    return problems


def _arm_problems(experiment: Experiment, variants: dict) -> list[Problem]:
    arms = experiment.arms or []
    problems = []
    if len(arms) < 2:
        problems.append(Problem("arms-too-few", "arms"))
    names = [arm.get("variant") for arm in arms]
    if len(set(names)) != len(names):
        problems.append(Problem("arms-duplicate", "arms"))
    unknown = [name for name in names if name not in variants]
    if unknown:
        problems.append(Problem("arms-unknown", "arms", {"variants": ", ".join(map(str, unknown))}))
    if any(not isinstance(arm.get("weight"), int) or isinstance(arm.get("weight"), bool)
           or arm["weight"] <= 0 for arm in arms):  # fmt: skip
        problems.append(Problem("arms-weights", "arms"))
    return problems


def _campaign_problems(session: Session, experiment: Experiment) -> list[Problem]:
    if not experiment.campaigns:
        return [Problem("campaigns-missing", "campaigns")]
    ids = [campaign.id for campaign in experiment.campaigns]
    same_page = (Experiment.page.is_(None) if experiment.page is None
                 else Experiment.page == experiment.page)  # fmt: skip
    taken = session.scalars(
        select(Campaign.title).join(experiment_campaign,
                                    experiment_campaign.c.campaign_id == Campaign.id)
        .join(Experiment, Experiment.id == experiment_campaign.c.experiment_id)
        .where(Campaign.id.in_(ids), Experiment.id != (experiment.id or 0),
               Experiment.collectivite_id == experiment.collectivite_id,
               Experiment.kind == experiment.kind, same_page, Experiment.status == "running")
    ).all()  # fmt: skip
    if taken:
        return [Problem("campaigns-taken", "campaigns", {"campaigns": ", ".join(taken)})]
    return []


def printed_letters(session: Session, experiment: Experiment) -> int:
    """Letters of its campaigns already printed: a letter experiment leaves them out."""
    ids = [campaign.id for campaign in experiment.campaigns]
    return session.scalar(
        select(func.count(Letter.id)).where(
            and_(Letter.campaign_id.in_(ids), Letter.collectivite_id == experiment.collectivite_id,
                 Letter.seed.is_not(None), Letter.revoked_at.is_(None)))
    ) or 0  # fmt: skip


def registration_of(experiment: Experiment, launched_at: datetime) -> dict:
    return {
        "title": experiment.title, "hypothesis": experiment.hypothesis,
        "kind": experiment.kind, "page": experiment.page,
        "unit": "letter", "arms": [dict(arm) for arm in experiment.arms],
        "primary_metric": experiment.primary_metric,
        "secondary_metrics": list(experiment.secondary_metrics or []),
        "guardrail_metrics": list(experiment.guardrail_metrics or []),
        "alpha": experiment.alpha, "power": experiment.power,
        "baseline_rate": experiment.baseline_rate, "planned_sample": experiment.planned_sample,
        "analysis_date": experiment.analysis_date.isoformat(),
        "campaigns": [{"id": c.id, "title": c.title} for c in experiment.campaigns],
        "strata": "campagne × type de propriétaire",
        "salt": experiment.salt, "launched_at": launched_at.isoformat(),
        "code_version": PAGE_CODE_VERSION if experiment.kind == "page" else CODE_VERSION,
    }  # fmt: skip


def canonical_json(registration: dict) -> str:
    """The text the hash is taken of: keys sorted, no spaces, UTF-8 kept as is."""
    return json.dumps(registration, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def registration_hash(registration: dict) -> str:
    return hashlib.sha256(canonical_json(registration).encode("utf-8")).hexdigest()


def launch(session: Session, experiment: Experiment, content_root: str | Path, *,
           now: datetime, today: date) -> None:  # fmt: skip
    if experiment.status != "draft":
        raise RegistryError([Problem("frozen", "status")])
    problems = validate(session, experiment, content_root, today=today)
    if problems:
        raise RegistryError(problems)
    experiment.registration = registration_of(experiment, now)
    experiment.registration_hash = registration_hash(experiment.registration)
    experiment.status, experiment.launched_at = "running", now
    session.flush()


def stop(session: Session, experiment: Experiment, *, now: datetime) -> None:
    if experiment.status != "running":
        raise RegistryError([Problem("not-running", "status")])
    experiment.status, experiment.stopped_at = "stopped", now
    session.flush()


def copy_as_draft(session: Session, experiment: Experiment, agent_id: int | None) -> Experiment:
    fields = {name: getattr(experiment, name) for name in EDITABLE}
    fields["title"] = f"{experiment.title} (copie)"[:200]
    return create_draft(session, experiment.collectivite_id, agent_id, fields,
                        [campaign.id for campaign in experiment.campaigns])  # fmt: skip


def results_visible(experiment: Experiment, today: date) -> bool:
    """Results stay hidden before the pre-registered analysis date (health checks only)."""
    return (experiment.status != "draft" and experiment.analysis_date is not None
            and today >= experiment.analysis_date)  # fmt: skip
