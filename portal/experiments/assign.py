"""Letter experiments: each letter gets its arm when the campaign's letters are generated,
before they are printed, and keeps it.

Deterministic and reproducible from the experiment's salt and the letters alone: within each
stratum (the campaign × the owner's kind), letters are sorted by a salted hash of their id
and dealt out over permuted blocks. A block lists the arms in proportion to their weights
(reduced by their greatest common divisor); its order is shuffled by a generator seeded from
the salt, the stratum and the block's number. Within a stratum the arms' counts therefore
differ from the weights by less than one block, whatever the number of letters. Letters
added to a campaign later continue their stratum's blocks; nothing assigned is ever
re-assigned. A letter printed before the experiment was launched keeps its wording and is
left out (it was posted, or may be, with another text); so is a revoked letter, and a letter
already in another running letter experiment.
"""

from __future__ import annotations

import hashlib
import logging
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from math import gcd

from sqlalchemy import exists, func, select, update
from sqlalchemy.orm import Session

from portal.experiments.exposure import stratum_of
from portal.models import Campaign, Letter, Owner
from portal.models.experiment import Experiment, ExperimentUnit, experiment_campaign

log = logging.getLogger(__name__)
CODE_VERSION = "portal.experiments.assign v1"  # recorded in the pre-registration


@dataclass(frozen=True)
class Assigned:
    letters: int  # letters given an arm now
    left_out: int  # letters already printed before launch: they keep their wording


def block_of(arms: list[dict]) -> list[str]:
    """The arms in proportion to their integer weights, reduced: 2:2 → [a, b]."""
    weights = [int(arm["weight"]) for arm in arms]
    divisor = reduce(gcd, weights)
    return [arm["variant"] for arm, w in zip(arms, weights, strict=True)
            for _ in range(w // divisor)]  # fmt: skip


def order_key(salt: str, experiment_id: int, letter_id: int) -> int:
    return int(hashlib.sha256(f"{salt}:{experiment_id}:{letter_id}".encode()).hexdigest(), 16)


def permuted_block(block: list[str], salt: str, stratum: str, number: int) -> list[str]:
    seed = hashlib.sha256(f"{salt}:{stratum}:{number}".encode()).digest()
    shuffled = list(block)
    random.Random(seed).shuffle(shuffled)  # noqa: S311 (allocation, not a secret)
    return shuffled


def deal(letter_ids: list[int], *, salt: str, experiment_id: int, stratum: str,
         block: list[str], already: int = 0) -> dict[int, str]:  # fmt: skip
    """Arms for these letters of one stratum, after `already` letters of it were dealt."""
    ordered = sorted(letter_ids, key=lambda lid: order_key(salt, experiment_id, lid))
    arms, current, current_number = {}, [], None
    for position, letter_id in enumerate(ordered, start=already):
        number, place = divmod(position, len(block))
        if number != current_number:
            current, current_number = permuted_block(block, salt, stratum, number), number
        arms[letter_id] = current[place]
    return arms


def running_letter_experiments(session: Session, campaign: Campaign) -> list[Experiment]:
    return list(session.scalars(
        select(Experiment).join(experiment_campaign,
                                experiment_campaign.c.experiment_id == Experiment.id)
        .where(experiment_campaign.c.campaign_id == campaign.id,
               Experiment.collectivite_id == campaign.collectivite_id,
               Experiment.kind == "letter", Experiment.status == "running")
        .order_by(Experiment.id)
    ))  # fmt: skip


def assign_letters(session: Session, campaign: Campaign, *, now: datetime) -> Assigned:
    """Give an arm to the campaign's unprinted letters in each running letter experiment
    that pools it; flushed, for the caller's write transaction to commit before printing."""
    assigned = left_out = 0
    for experiment in running_letter_experiments(session, campaign):
        in_a_letter_experiment = exists().where(
            ExperimentUnit.letter_id == Letter.id,
            ExperimentUnit.experiment_id == Experiment.id,
            Experiment.kind == "letter",
        )
        waiting = (Letter.campaign_id == campaign.id,
                   Letter.collectivite_id == campaign.collectivite_id,
                   Letter.revoked_at.is_(None), ~in_a_letter_experiment)  # fmt: skip
        left_out += session.scalar(
            select(func.count(Letter.id)).where(*waiting, Letter.seed.is_not(None))
        ) or 0  # fmt: skip
        rows = session.execute(
            select(Letter.id, Owner.kind).join(Owner, Owner.id == Letter.owner_id)
            .where(*waiting, Letter.seed.is_(None))
        ).all()  # fmt: skip
        strata: dict[str, list[int]] = defaultdict(list)
        for letter_id, owner_kind in rows:
            strata[stratum_of(campaign.id, owner_kind)].append(letter_id)
        block = block_of(experiment.arms)
        for stratum, letter_ids in sorted(strata.items()):
            already = session.scalar(
                select(func.count()).select_from(ExperimentUnit).where(
                    ExperimentUnit.experiment_id == experiment.id,
                    ExperimentUnit.stratum == stratum)
            ) or 0  # fmt: skip
            arms = deal(letter_ids, salt=experiment.salt, experiment_id=experiment.id,
                        stratum=stratum, block=block, already=already)  # fmt: skip
            session.add_all(
                ExperimentUnit(experiment_id=experiment.id, letter_id=letter_id, arm=arm,
                               stratum=stratum, assigned_at=now)
                for letter_id, arm in arms.items()
            )  # fmt: skip
            by_arm: dict[str, list[int]] = defaultdict(list)
            for letter_id, arm in arms.items():
                by_arm[arm].append(letter_id)
            for arm, ids in by_arm.items():
                for start in range(0, len(ids), 500):
                    session.execute(update(Letter).where(Letter.id.in_(ids[start:start + 500]))
                                    .values(variant=arm))  # fmt: skip
            assigned += len(arms)
        session.flush()
    if left_out:
        log.info("campaign %s: %s letters printed before an experiment's launch keep their "
                 "wording and are left out of it", campaign.id, left_out)  # fmt: skip
    return Assigned(assigned, left_out)
