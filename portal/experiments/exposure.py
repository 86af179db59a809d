"""Page experiments: which wording of a page a letter's owner sees, assigned at the first
view of the page and kept (GrowthBook-style sticky bucketing, PlanOut-style salted hash).

A page experiment (`Experiment.kind == "page"`) varies the texts of the owner's landing or
results page (`guidance_content/pages/<page>.yaml`). Its unit is the letter: the first
time a letter's owner is shown the page while the experiment runs, the letter gets an arm
from a salted hash of the letter (the same letter always falls in the same bucket of
0..9999, mapped to the arms' weighted ranges), and an ExperimentUnit row records the arm
with its stratum and the moment of exposure, once. Later views read the row: the arm never
changes for a letter, whatever the weights become. No running experiment: the standard
texts, and nothing written.

Called by the owner's views (no Flask here); the write goes through
`portal.database.begin_write` (BEGIN IMMEDIATE on SQLite) in a transaction of its own.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

from sqlalchemy import ColumnElement, and_, exists, literal_column, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.database import begin_write
from portal.experiments.wordings import CONTROL, page_variants
from portal.models import Letter, Owner
from portal.models.experiment import (
    EXPERIMENT_PAGES,
    Experiment,
    ExperimentUnit,
    experiment_campaign,
)

BUCKETS = 10_000


def running_on(page: str, campaign_id, collectivite_id) -> ColumnElement[bool]:
    """The condition on Experiment (joined to experiment_campaign) that it is a running
    experiment of `page` pooling this campaign of this collectivité. Its constants are
    written in the SQL (no bound parameter): the landing's query binds only the letter."""
    if page not in EXPERIMENT_PAGES:
        raise ValueError(f"no page experiment on {page!r}")
    return and_(
        Experiment.id == experiment_campaign.c.experiment_id,
        experiment_campaign.c.campaign_id == campaign_id,
        Experiment.collectivite_id == collectivite_id,
        Experiment.kind == literal_column("'page'"),
        Experiment.page == literal_column(f"'{page}'"),
        Experiment.status == literal_column("'running'"),
    )


def running_exists(page: str, campaign_id, collectivite_id) -> ColumnElement[bool]:
    """EXISTS a running experiment of `page` on this campaign: a column a query of the
    letter can carry (the landing's), so that a page without experiment costs nothing."""
    return exists().where(running_on(page, campaign_id, collectivite_id))


def running_experiment(session: Session, letter: Letter, page: str) -> Experiment | None:
    """The running experiment of `page` that pools the letter's campaign (the oldest, if
    two were ever launched on the same page and campaign)."""
    return session.scalar(
        select(Experiment)
        .where(running_on(page, letter.campaign_id, letter.collectivite_id))
        .order_by(Experiment.id)
        .limit(1)
    )


def bucket(salt: str, experiment_id: int, letter_id: int) -> int:
    """The letter's bucket in 0..9999: reproducible from the salt, the ids alone."""
    digest = hashlib.sha256(f"{salt}:{experiment_id}:{letter_id}".encode()).hexdigest()
    return int(digest, 16) % BUCKETS


def arm_for(arms: list[dict], number: int) -> str:
    """The arm whose weighted range of 0..9999 holds bucket `number`: arm i covers
    [⌊10000·Σw<i/W⌋, ⌊10000·Σw≤i/W⌋). The control when there is no valid arm."""
    weights = [(arm.get("variant"), arm.get("weight")) for arm in arms or []]
    if not weights or any(not isinstance(w, int) or w <= 0 or not v for v, w in weights):
        return CONTROL
    total, cumulated = sum(w for _, w in weights), 0
    for variant, weight in weights:
        cumulated += weight
        if number < BUCKETS * cumulated // total:
            return variant
    return weights[-1][0]  # unreachable: the last bound is BUCKETS


def stratum_of(campaign_id: int, owner_kind: str | None) -> str:
    return f"campagne {campaign_id} × {owner_kind or 'inconnu'}"


def page_variant(session: Session, letter: Letter, page: str, *, now: datetime) -> str:
    """The slug of the page's wording this letter's owner sees; on the first view during a
    running experiment, the arm is drawn and recorded (exposure), exactly once."""
    experiment = running_experiment(session, letter, page)
    if experiment is None:
        return CONTROL
    key = (experiment.id, letter.id)
    unit = session.get(ExperimentUnit, key)
    if unit is not None:
        return unit.arm
    arm = arm_for(experiment.arms, bucket(experiment.salt, experiment.id, letter.id))
    owner_kind = session.scalar(select(Owner.kind).where(Owner.id == letter.owner_id))
    begin_write(session, reload=False)  # its own transaction, the write lock at once
    try:
        with session.begin_nested():  # a SAVEPOINT: a concurrent first view may win
            session.add(ExperimentUnit(experiment_id=experiment.id, letter_id=letter.id,
                                       arm=arm, stratum=stratum_of(letter.campaign_id, owner_kind),
                                       assigned_at=now, exposed_at=now))  # fmt: skip
    except IntegrityError:
        pass  # another request wrote the unit first: its arm is the letter's
    session.commit()
    unit = session.get(ExperimentUnit, key, populate_existing=True)
    return unit.arm if unit is not None else arm


def page_texts(content_root: str | Path, page: str, variant: str, locale: str) -> dict[str, str]:
    """The texts of the page's `variant` in `locale` (French when a text lacks the locale;
    the standard texts when the variant is no longer in the content)."""
    variants = page_variants(str(content_root), page)
    wording = variants.get(variant) or variants[CONTROL]
    return wording.texts.get(locale) or wording.texts["fr"]
