"""The demo's letter experiment « Courrier simplifié »: the collectivité's usual letter
(`standard`) against the simplified one (`simplified`), 1:1, primary metric the QR scan.

The demo campaign has three letters, far too few for an analysis, so the experiment pools a
second demo campaign, a « première vague de courriers » of a few hundred housings generated
here and imported through the real import path (portal.imports.run), sent two months ago. The
experiment is created and launched through the registry (frozen registration and its
SHA-256), dated as launched before that campaign was sent, with its analysis date
yesterday, so that the back-office analysis and /stats show its results. Both campaigns'
letters get their arms through portal.experiments.assign before any of them is printed.

The first wave's owners are then played by `portal demo`
(portal.commands.demo_owners, through the owner journey's own services); the demo
campaign's letters, which a visitor of the demo opens, are never touched. Everything is
the same on every run: the housings and the owners' draws come from a fixed seed, the
experiment's salt from SECRET_KEY.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import random
import tempfile
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal import clock
from portal.campaigns.build import create_campaign
from portal.campaigns.schedule import set_send_date
from portal.experiments import registry
from portal.experiments.assign import assign_letters
from portal.imports.run import apply
from portal.letters.campaign import issue_codes
from portal.models import Campaign, Collectivite, Housing, Letter
from portal.models.experiment import Experiment

TITLE = "Courrier simplifié"
WAVE_TITLE = "Logements vacants — première vague de courriers"
WAVE_DESCRIPTION = (
    "Campagne de démonstration\u00a0: l’expérimentation «\u00a0Courrier simplifié\u00a0»"
)
WAVE_SIZE = 400
SENT_DAYS_AGO = 60  # the first wave was posted two months ago
LAUNCHED_DAYS_AGO = SENT_DAYS_AGO + 2
ARMS = [{"variant": "standard", "weight": 1}, {"variant": "simplified", "weight": 1}]
SEED = "demoville"  # the made-up housings and the simulated owners' draws: the same each time
STREETS = ("rue de la République", "rue Pasteur", "avenue de la Gare", "rue des Écoles",
           "impasse des Vignes", "rue du Four", "place de l’Église", "chemin des Prés",
           "rue Victor-Hugo", "boulevard du Nord")  # fmt: skip
FIRST_NAMES = ("Marie", "Jean", "Françoise", "Pierre", "Monique", "Michel", "Nicole",
               "André", "Sylvie", "Bernard", "Colette", "Alain")  # fmt: skip
SURNAMES = ("Bernard", "Petit", "Durand", "Leroy", "Moreau", "Simon", "Laurent", "Lefèvre",
            "Roux", "Fournier", "Girard", "Bonnet", "Dupont", "Lambert")  # fmt: skip
TOWNS = ("58000 Démoville", "58000 Démoville", "45000 Orléans", "75011 Paris", "69006 Lyon")
COMPANY = "SCI, Copropriété, Autres personnes morales"
HEADER = ("ff_idlocal", "code_insee", "invariant", "adresse", "nature", "ff_stoth",
          "ff_npiece_p2", "ff_jannath", "debutvacance", "dpe", "proprietaire",
          "proprietaire_type", "proprietaire_adresse")  # fmt: skip


def wave_rows(count: int = WAVE_SIZE):
    """The first wave's housings, in the import file's columns (made up, the same each time)."""
    draw = random.Random(f"{SEED}:housings")  # noqa: S311 (made-up data)
    for i in range(count):
        company = draw.random() < 0.2
        owner = (f"SCI {draw.choice(SURNAMES)} {i}" if company
                 else f"{draw.choice(FIRST_NAMES)} {draw.choice(SURNAMES)}")  # fmt: skip
        yield (f"58000001{i:04d}", "58999", f"589991{i:04d}",
               f"{1 + i % 97} {STREETS[i % len(STREETS)]}\n58000 Démoville",
               draw.choice(("MAISON", "APPART")), draw.randint(25, 140), draw.randint(1, 6),
               draw.randint(1850, 1990), draw.randint(2010, 2023), draw.choice("CDEFG"), owner,
               COMPANY if company else "Particulier",
               # one owner per housing (a distinct address): none has letters in both arms
               f"{1 + i // len(STREETS)} {STREETS[i % len(STREETS)]}\n"
               f"{draw.choice(TOWNS)}")  # fmt: skip


def add_experiment(session: Session, collectivite: Collectivite, campaign: Campaign, *,
                   content_root: str | Path, secret_key: str,
                   today: date) -> Experiment:  # fmt: skip
    """The first wave and the experiment pooling it with the demo `campaign`, launched, and
    every letter of both assigned; to be called before the demo campaign's letters are
    printed (their arm is in their wording). In the caller's write transaction."""
    wave = _first_wave(session, collectivite, today)
    launch_day = today - timedelta(days=LAUNCHED_DAYS_AGO)
    launched_at = clock.start_of_day(launch_day) + timedelta(hours=10)
    letters = session.scalar(
        select(func.count(Letter.id)).where(Letter.campaign_id.in_((campaign.id, wave.id)))
    )  # fmt: skip
    experiment = registry.create_draft(session, collectivite.id, None, {
        "title": TITLE, "kind": "letter", "arms": ARMS,
        "hypothesis": "Un courrier plus court, en phrases simples, qui dit d’abord quoi faire, "
                      "amène plus de propriétaires à ouvrir le portail que le courrier habituel.",
        "primary_metric": "scan", "secondary_metrics": ["diagnostic", "callback"],
        "guardrail_metrics": ["opt_out"], "alpha": 0.05, "power": 0.8, "baseline_rate": 0.05,
        "planned_sample": letters, "analysis_date": today - timedelta(days=1),
    }, [campaign.id, wave.id])  # fmt: skip
    # Derived, not random, so that the demo's arms are the same on every run (its links too).
    experiment.salt = hmac.new(secret_key.encode(), b"demo:experiment-salt",
                               hashlib.sha256).hexdigest()[:32]  # fmt: skip
    registry.launch(session, experiment, content_root, now=launched_at, today=launch_day)
    sent = clock.start_of_day(wave.sent_at) + timedelta(hours=8)
    assign_letters(session, wave, now=sent - timedelta(days=1))  # the wave's letters job
    issue_codes(session, wave, secret_key)  # printed (nobody can open them: no link shown)
    for letter in session.scalars(select(Letter).where(Letter.campaign_id == wave.id)):
        letter.sent_at = wave.sent_at
    assign_letters(session, campaign, now=clock.now())
    return experiment


def _first_wave(session: Session, collectivite: Collectivite, today: date) -> Campaign:
    rows = list(wave_rows())
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "demo-premiere-vague.csv"
        with path.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, delimiter=";")
            writer.writerow(HEADER)
            writer.writerows(rows)
        apply(session, collectivite, path)  # the import, as an agent's
    housing_ids = session.scalars(
        select(Housing.id).where(Housing.collectivite_id == collectivite.id,
                                 Housing.local_id.in_([row[0] for row in rows]))
    ).all()  # fmt: skip
    wave = create_campaign(session, collectivite.id, None, WAVE_TITLE,
                           WAVE_DESCRIPTION, None, housing_ids).campaign  # fmt: skip
    wave.letters_expire_at = clock.start_of_day(today) + timedelta(days=270)
    set_send_date(session, wave, today - timedelta(days=SENT_DAYS_AGO))
    return wave


def first_wave(session: Session, collectivite_id: int) -> Campaign | None:
    return session.scalar(select(Campaign).where(Campaign.collectivite_id == collectivite_id,
                                                 Campaign.title == WAVE_TITLE))  # fmt: skip


def demo_experiment(session: Session, collectivite_id: int) -> Experiment | None:
    return session.scalar(select(Experiment).where(Experiment.collectivite_id == collectivite_id,
                                                   Experiment.title == TITLE))  # fmt: skip
