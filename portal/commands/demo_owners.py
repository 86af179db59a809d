"""The demo's simulated owners: the first wave of the demo experiment « Courrier simplifié »
(portal.demo_experiment) as owners would answer it. A deterministic random subset opens its
letter, some of them send the diagnostic (and say whether it was useful), ask to be called
back or ask not to be contacted again, a little more often with the simplified letter
(made-up rates, not a result).

It goes through the owner journey's own service functions (open_letter,
record_owner_return, save_feedback), so the Responses, Events, follow-up statuses and the
back-office queue are those real owners leave; hence it lives with the commands, which may
call the owner's package, and needs the app context. The demo letters an agent may try are
never touched.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import clock
from portal.database import begin_write
from portal.demo_experiment import SEED, first_wave
from portal.models import Housing, Letter
from portal.models.experiment import ExperimentUnit
from portal.owner.journey import record_owner_return, response_for, save_answer, save_feedback
from portal.owner.service import open_letter
from portal.rules import Content


@dataclass(frozen=True)
class Rates:
    scan: float  # of the letters
    diagnostic: float  # of those opened
    callback: float  # of those opened
    opt_out: float  # of those opened


# A little better with the simplified letter, as the experiment hopes (made up, not a result).
RATES = {"standard": Rates(0.11, 0.45, 0.12, 0.06), "simplified": Rates(0.16, 0.50, 0.14, 0.05)}
ANSWERS = (
    {"situation": "vacant", "vacancy_duration": "gt_2y", "owner_kind": "individual",
     "intention": "rent"},
    {"situation": "vacant", "vacancy_duration": "gt_2y", "owner_kind": "individual",
     "intention": "sell"},
    {"situation": "vacant", "vacancy_duration": "1_2y", "owner_kind": "individual",
     "intention": "undecided"},
    {"situation": "vacant", "vacancy_duration": "gt_2y", "owner_kind": "individual",
     "intention": "rent", "blockers": ["fear_unpaid_rent"], "works_level": "medium",
     "energy_label": "E", "accepts_rent_cap": "yes"},
)  # fmt: skip


def simulate_outcomes(session: Session, collectivite_id: int, content: Content, *,
                      today: date) -> int:  # fmt: skip
    """The first wave's owners, played once (nothing if a letter of it was opened already):
    returns how many opened their letter. Needs the app context (the journey's services)."""
    wave = first_wave(session, collectivite_id)
    if wave is None or wave.sent_at is None:
        return 0
    letters = session.execute(
        select(Letter, ExperimentUnit.arm)
        .join(ExperimentUnit, ExperimentUnit.letter_id == Letter.id)
        .join(Housing, Housing.id == Letter.housing_id)
        .where(Letter.campaign_id == wave.id, Letter.collectivite_id == collectivite_id)
        .order_by(Housing.local_id)
    ).all()  # fmt: skip
    if any(letter.first_visit_at is not None for letter, _arm in letters):
        return 0
    draw = random.Random(SEED)  # noqa: S311 (simulation, not a secret)
    days = max((today - wave.sent_at).days - 1, 1)
    opened = 0
    for index, (letter, arm) in enumerate(letters):
        rates, chances = RATES[arm], [draw.random() for _ in range(5)]
        at = (clock.start_of_day(wave.sent_at + timedelta(days=1 + draw.randrange(days)))
              + timedelta(minutes=draw.randrange(9 * 60, 20 * 60)))  # fmt: skip
        if chances[0] >= rates.scan:
            continue
        opened += 1
        open_letter(session, letter, now=at)  # the owner scans the QR code
        if chances[1] < rates.opt_out:
            record_owner_return(session, letter, content, "do_not_contact",
                                now=at + timedelta(minutes=2))  # fmt: skip
            continue
        if chances[2] < rates.diagnostic:
            begin_write(session)
            response_for(session, letter, content).answers = dict(ANSWERS[index % len(ANSWERS)])
            record_owner_return(session, letter, content, "submitted",
                                now=at + timedelta(minutes=9))  # fmt: skip
            if chances[4] < 0.6:  # « Ce service vous a-t-il été utile ? »
                save_feedback(session, letter, content, chances[4] < 0.5, "")
            elif chances[4] > 0.9:  # changes their mind afterwards: the queue marks it
                save_answer(session, letter, content, "intention", "temporary_use")
        if chances[3] < rates.callback:
            callback = {"phone": f"063998{index:04d}", "email": None,
                        "moments": ["morning"], "note": ""}  # fmt: skip
            record_owner_return(session, letter, content, "callback", callback=callback,
                                now=at + timedelta(minutes=12))  # fmt: skip
    return opened
