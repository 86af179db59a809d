"""An experiment's per-unit table, read from the database: one row per letter in the
experiment, its arm, its stratum and each metric (portal.experiments.metrics) as 0 or 1.

The rules, per letter:
- `scan`: the letter was opened on the portal (QR code or typed code: `first_visit_at`);
- `diagnostic`: the owner sent the diagnostic (`Response.submitted_at`);
- `callback`: the owner asked to be called back (a CallbackRequest);
- `opt_out`: the owner chose « ne plus me contacter » (a `response:do_not_contact` Event);
- `any_return`: any of the owner's own returns through the portal (a `response:*` Event:
  diagnostic, call-back, sold, not the owner, do not contact) or, as ZLV counts returns
  (portal.campaigns.returns), the dwelling's follow-up status is a return status and an
  agent recorded a status or occupancy change after the campaign's send date — so replies
  by phone or post that agents record count in every arm alike.
Letter experiments count every letter assigned, opened or not (intention to treat). Page
experiments count only what happened at or after the letter's first exposure to the page.

A handful of set-based queries whatever the number of units; every one is scoped to the
experiment's collectivité. Units are pseudonymised: a keyed hash of the letter id.
"""

from __future__ import annotations

import hashlib
import hmac
import io

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from portal import clock
from portal.campaigns.returns import RETURN_EVENTS, RETURN_STATUSES
from portal.experiments.metrics import METRICS
from portal.experiments.table import Unit
from portal.experiments.units_file import write_units
from portal.models import CallbackRequest, Event, Housing, Letter, Response
from portal.models.experiment import Experiment, ExperimentUnit

OWNER_RETURNS = ("response:submitted", "response:callback", "response:sold",
                 "response:not_owner", "response:do_not_contact")  # fmt: skip


def unit_key(secret_key: str) -> bytes:
    return hashlib.sha256(b"experiment-units:" + secret_key.encode()).digest()


def pseudonym(key: bytes, experiment_id: int, letter_id: int) -> str:
    message = f"{experiment_id}:{letter_id}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:16]


def _letters(session: Session, experiment: Experiment, *joins, where=(), at=None) -> set[int]:
    """The experiment's letters (ids) reached through `joins` ((target, on) pairs) for
    which `where` holds; `at`: the outcome's time, which a page experiment requires at or
    after the letter's exposure."""
    query = (
        select(ExperimentUnit.letter_id).distinct()
        .join(Letter, Letter.id == ExperimentUnit.letter_id)
        .where(ExperimentUnit.experiment_id == experiment.id,
               Letter.collectivite_id == experiment.collectivite_id, *where)
    )  # fmt: skip
    for target, on in joins:
        query = query.join(target, on)
    if experiment.kind == "page" and at is not None:
        query = query.where(ExperimentUnit.exposed_at.is_not(None), at >= ExperimentUnit.exposed_at)
    return set(session.scalars(query))


def _zlv_returns(session: Session, experiment: Experiment) -> set[int]:
    """ZLV's rule, per campaign: the dwelling's status is a return status and it has a
    status or occupancy event after the campaign's send date."""
    scoped = experiment.collectivite_id
    found: set[int] = set()
    for campaign in experiment.campaigns:
        if campaign.sent_at is None:
            continue
        since = clock.start_of_day(campaign.sent_at)
        found |= _letters(
            session, experiment,
            (Housing, and_(Housing.id == Letter.housing_id, Housing.collectivite_id == scoped)),
            (Event, and_(Event.housing_id == Housing.id, Event.collectivite_id == scoped)),
            where=(Letter.campaign_id == campaign.id, Housing.status.in_(RETURN_STATUSES),
                   Event.kind.in_(RETURN_EVENTS), Event.created_at > since),
            at=Event.created_at,
        )  # fmt: skip
    return found


def outcomes(session: Session, experiment: Experiment) -> dict[str, set[int]]:
    """For each metric, the ids of the experiment's letters that reached it."""
    scoped = experiment.collectivite_id
    response = (Response, and_(Response.letter_id == Letter.id,
                               Response.collectivite_id == scoped))  # fmt: skip
    callback = (CallbackRequest, and_(CallbackRequest.letter_id == Letter.id,
                                      CallbackRequest.collectivite_id == scoped))  # fmt: skip
    event = (Event, and_(Event.letter_id == Letter.id, Event.collectivite_id == scoped))
    return {
        "scan": _letters(session, experiment, where=(Letter.first_visit_at.is_not(None),),
                         at=Letter.first_visit_at),
        "diagnostic": _letters(session, experiment, response,
                               where=(Response.submitted_at.is_not(None),),
                               at=Response.submitted_at),
        "callback": _letters(session, experiment, callback, at=CallbackRequest.consent_at),
        "opt_out": _letters(session, experiment, event,
                            where=(Event.kind == "response:do_not_contact",),
                            at=Event.created_at),
        "any_return": _letters(session, experiment, event,
                               where=(Event.kind.in_(OWNER_RETURNS),), at=Event.created_at)
        | _zlv_returns(session, experiment),
    }  # fmt: skip


def unit_rows(session: Session, experiment: Experiment, key: bytes) -> list[Unit]:
    """The per-unit table, in a stable order (by pseudonym)."""
    reached = outcomes(session, experiment)
    rows = session.execute(
        select(ExperimentUnit.letter_id, ExperimentUnit.arm, ExperimentUnit.stratum)
        .join(Letter, Letter.id == ExperimentUnit.letter_id)
        .where(ExperimentUnit.experiment_id == experiment.id,
               Letter.collectivite_id == experiment.collectivite_id)
    ).all()  # fmt: skip
    units = [
        Unit(pseudonym(key, experiment.id, letter_id), arm, stratum,
             {metric: int(letter_id in reached[metric]) for metric in METRICS})
        for letter_id, arm, stratum in rows
    ]  # fmt: skip
    return sorted(units, key=lambda unit: unit.unit)


def units_csv(units: list[Unit], metrics: list[str] | None = None) -> str:
    """The per-unit table as `portal experiments analyse --units` reads it: header
    `unit,arm,stratum,<metrics...>` (every metric unless `metrics` names some)."""
    out = io.StringIO()
    write_units(units, list(metrics or METRICS), out)
    return out.getvalue()
