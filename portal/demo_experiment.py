"""The demo's experiment, so that the analysis page and /stats show a trial on `make run`:
« Courrier simplifié », the standard letter against the simplified one, on a second demo
campaign of 400 made-up housings sent 70 days ago, analysed yesterday.

Everything goes through the portal's own services, as it would for a collectivité: the
import, the campaign and its send date, the registry's draft and launch (dated the day
before the send date, with the analysis date it had then fixed), the assignment of arms
before printing, the letters' codes. Only the owners' replies are simulated (a seeded
random draw, a little more often in the simplified arm: it is a demonstration, not a
result), written as the owner journey records an owner's.

Idempotent: nothing is made again when the trial's campaign exists.
"""

from __future__ import annotations

import csv
import random
import tempfile
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.campaigns.build import create_campaign
from portal.campaigns.schedule import set_send_date
from portal.database import begin_write
from portal.evaluation import evaluation_for
from portal.experiments import registry
from portal.experiments.assign import assign_letters
from portal.imports.run import apply
from portal.letters import campaign as printed
from portal.models import (
    CallbackRequest,
    Campaign,
    Collectivite,
    Event,
    Housing,
    Letter,
    Response,
    ResponseRecommendation,
)
from portal.queue import refresh_tab
from portal.rules import Content
from portal.suggestions import FIRST_CONTACT

TRIAL_TITLE = "Essai de formulation : courrier simplifié (démonstration)"
EXPERIMENT_TITLE = "Courrier simplifié"
HOUSINGS = 400
SENT_DAYS_AGO = 70
# Simulated replies per arm: (opened, of which diagnostic, of which call-back).
REPLIES = {"standard": (0.10, 0.5, 0.3), "simplified": (0.14, 0.5, 0.3)}
ANSWERS = {"situation": "vacant", "vacancy_duration": "gt_2y", "owner_kind": "individual",
           "intention": "rent", "blockers": ["fear_unpaid_rent"], "works_level": "medium",
           "energy_label": "E", "accepts_rent_cap": "yes"}  # fmt: skip
SHOWN = ("applicable", "undetermined")  # the results page's aids, as the journey stores them
HEADER = ("ff_idlocal", "code_insee", "invariant", "adresse", "nature", "ff_stoth",
          "ff_npiece_p2", "ff_jannath", "debutvacance", "dpe", "proprietaire",
          "proprietaire_type", "proprietaire_adresse")  # fmt: skip
KINDS = ("Particulier", "SCI, Copropriété, Autres personnes morales")
STREETS = ("rue de la Gare", "rue des Écoles", "avenue de la République", "chemin des Vignes",
           "place de l’Église", "rue du Four", "impasse des Lilas", "route de Nevers")  # fmt: skip


def _file(folder: Path) -> Path:
    """The trial's made-up housings, in the import's CSV format (as demo_logements.csv)."""
    path = folder / "essai.csv"
    draw = random.Random(58)  # noqa: S311 (made-up data)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(HEADER)
        for n in range(1, HOUSINGS + 1):
            street = f"{n % 97 + 1} {STREETS[n % len(STREETS)]}"
            writer.writerow([f"58000000{1000 + n:04d}", "58999", f"58999{10000 + n}",
                             f"{street}\n58000 Démoville", draw.choice(("MAISON", "APPART")),
                             draw.randint(30, 140), draw.randint(1, 6), draw.randint(1900, 1990),
                             draw.randint(2010, 2023), draw.choice("DEFG"),
                             f"Propriétaire fictif n° {n}", KINDS[int(n % 5 == 0)],
                             f"{n} rue de l’Exemple\n75000 Paris"])  # fmt: skip
    return path


def load_demo_experiment(session: Session, collectivite: Collectivite, secret_key: str,
                         content: Content, content_root: str, today: date) -> Campaign:  # fmt: skip
    """Create the trial if it is not there; return its campaign either way."""
    found = session.scalar(select(Campaign).where(Campaign.collectivite_id == collectivite.id,
                                                  Campaign.title == TRIAL_TITLE))  # fmt: skip
    if found is not None:
        return found
    sent = today - timedelta(days=SENT_DAYS_AGO)
    launched = datetime.combine(sent - timedelta(days=1), time(9), UTC)
    begin_write(session)
    before = set(session.scalars(select(Housing.id).where(
        Housing.collectivite_id == collectivite.id)))  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        apply(session, collectivite, _file(Path(folder)))
    housing_ids = [hid for hid in session.scalars(select(Housing.id).where(
        Housing.collectivite_id == collectivite.id)) if hid not in before]  # fmt: skip
    campaign = create_campaign(session, collectivite.id, None, TRIAL_TITLE,
                               "Campagne de démonstration d’une expérimentation", None,
                               housing_ids).campaign  # fmt: skip
    experiment = registry.create_draft(session, collectivite.id, None, {
        "title": EXPERIMENT_TITLE, "kind": "letter",
        "hypothesis": "Un courrier plus court, aux phrases plus simples, fera ouvrir le "
                      "portail à plus de propriétaires que le courrier habituel.",
        "arms": [{"variant": "standard", "weight": 1}, {"variant": "simplified", "weight": 1}],
        "primary_metric": "scan", "secondary_metrics": ["diagnostic", "callback"],
        "guardrail_metrics": ["opt_out"], "alpha": 0.05, "power": 0.8, "baseline_rate": 0.1,
        "planned_sample": HOUSINGS, "analysis_date": today - timedelta(days=1),
    }, [campaign.id])  # fmt: skip
    registry.launch(session, experiment, content_root, now=launched, today=launched.date())
    assign_letters(session, campaign, now=launched)  # before printing, as the letters job
    printed.issue_codes(session, campaign, secret_key)
    set_send_date(session, campaign, sent)
    session.commit()
    _simulate_replies(session, campaign, content, sent)
    return campaign


def _event(letter: Letter, kind: str, at: datetime, before=None, after=None) -> Event:
    return Event(collectivite_id=letter.collectivite_id, created_at=at, actor_kind="owner",
                 kind=kind, housing_id=letter.housing_id, owner_id=letter.owner_id,
                 letter_id=letter.id, before=before, after=after)  # fmt: skip


def _simulate_replies(session: Session, campaign: Campaign, content: Content, sent: date):
    """Owners' replies, written as the owner journey records them (portal.owner.journey,
    which this core module may not import): the letter opened, the Response with its
    answers and the aids shown, the dwelling in « Premier contact », the call-back request,
    an Event for each, the back-office queue's tab."""
    draw = random.Random(2026)  # noqa: S311 (a demonstration)
    letters = session.scalars(select(Letter).where(Letter.campaign_id == campaign.id)
                              .order_by(Letter.id)).all()  # fmt: skip
    begin_write(session)
    for letter in letters:
        opened, answered, called = REPLIES.get(letter.variant, REPLIES["standard"])
        if draw.random() >= opened:
            continue
        at = datetime.combine(sent + timedelta(days=draw.randint(2, 30)), time(10), UTC)
        letter.first_visit_at = at
        if draw.random() >= answered:
            continue
        submitted = at + timedelta(minutes=9)
        evaluation = evaluation_for(content, letter, ANSWERS)
        shown = [r.slug for r in evaluation.recommendations
                 if r.status in SHOWN and r.aid.kind != "cost"]  # fmt: skip
        response = Response(letter_id=letter.id, collectivite_id=letter.collectivite_id,
                            answers=dict(ANSWERS), content_version=content.version, progress=100,
                            submitted_at=submitted, last_return_at=submitted,
                            recommendations=[ResponseRecommendation(aid_slug=slug, rank=rank)
                                             for rank, slug in enumerate(shown)])  # fmt: skip
        session.add(response)
        recorded = {"answers": {"situation": ANSWERS["situation"]}}
        housing = letter.housing
        session.add_all([
            _event(letter, "response:submitted", submitted, None, recorded),
            _event(letter, "housing:status-updated", submitted,
                   {"status": housing.status, "sub_status": housing.sub_status},
                   {"status": FIRST_CONTACT, "sub_status": None}),
        ])  # fmt: skip
        housing.status, housing.sub_status = FIRST_CONTACT, None
        if draw.random() < called:
            asked = at + timedelta(minutes=11)
            session.add(CallbackRequest(letter_id=letter.id, consent_at=asked, moments=[],
                                        collectivite_id=letter.collectivite_id,
                                        phone="01 23 45 67 89"))  # fmt: skip
            session.add(_event(letter, "response:callback", asked, None,
                               {**recorded, "callback": {"by_phone": True, "by_email": False,
                                                         "moments": []}}))  # fmt: skip
            response.last_return_at = asked
        session.flush()
        refresh_tab(session, response)
    session.commit()
