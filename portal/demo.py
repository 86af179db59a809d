"""Demo data for `portal demo`, made through the portal's own services: a collectivité,
its admin, the demo housings imported from a file (`demo_logements.csv`, the CSV format
close to LOVAC), a campaign of them with its send date, and its letters' codes.

With them, the letter experiment « Courrier simplifié » (portal.demo_experiment), which
pools the demo campaign with a first wave of a few hundred made-up housings.

Idempotent: running it again changes nothing and prints the same URLs. Real letters get a
random seed at their first printing (portal.letters.issue); the demo letters' seeds are
derived from SECRET_KEY instead, so that their links can be printed again on every run.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import clock
from portal.campaigns.build import create_campaign
from portal.campaigns.schedule import set_send_date
from portal.database import begin_write
from portal.demo_experiment import add_experiment
from portal.imports.run import apply
from portal.letters import issue
from portal.letters.codes import hash_code, hash_token
from portal.models import Agent, Campaign, Collectivite, Housing, Letter
from portal.passwords import hash_password

DEMO_SIREN = "999999999"
DEMO_AGENT_EMAIL = "agent@demoville.example"
DEMO_AGENT_PASSWORD = "demo-portail-2026"  # noqa: S105 (printed on purpose: demo only)
DEMO_FILE = Path(__file__).with_name("demo_logements.csv")
CONTENT_ROOT = Path(__file__).resolve().parent.parent / "guidance_content"
DEMO_TITLE = "Logements vacants depuis plus de deux ans — novembre 2026"
# The demo housings' addresses, in the file's order (the tests and benchmarks name them).
HOUSINGS = (
    ("580000000001", ["12 rue des Tilleuls", "58000 Démoville"]),
    ("580000000002", ["3 place du Marché, 2e étage", "58000 Démoville"]),
    ("580000000003", ["41 chemin du Moulin", "58000 Démoville"]),
)


@dataclass(frozen=True)
class DemoLetter:
    address: str
    token: str
    code: str


def demo_seed(secret_key: str, index: int) -> str:
    digest = hmac.new(secret_key.encode(), f"demo:seed:{index}".encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def demo_token(secret_key: str, index: int) -> str:
    return issue.derive(demo_seed(secret_key, index), secret_key).token


def demo_code(secret_key: str, index: int) -> str:
    return issue.derive(demo_seed(secret_key, index), secret_key).code


def load_demo(session: Session, secret_key: str, today: date | None = None, *,
              content_root: str | Path = CONTENT_ROOT) -> list[DemoLetter]:  # fmt: skip
    """Create the demo data if it is not there; return the demo letters either way."""
    today = today or clock.local_date()
    begin_write(session)  # the checks and the data, in one write transaction
    collectivite = session.scalar(select(Collectivite).where(Collectivite.siren == DEMO_SIREN))
    if collectivite is None:
        collectivite = _create(session, secret_key, today, content_root)
    if session.scalar(select(Agent).where(Agent.email == DEMO_AGENT_EMAIL)) is None:
        session.add(
            Agent(
                collectivite=collectivite,
                email=DEMO_AGENT_EMAIL,
                full_name="Camille Agent (démo)",
                password_hash=hash_password(DEMO_AGENT_PASSWORD),
                role="admin",
            )
        )
    session.commit()
    return [
        DemoLetter(", ".join(lines), demo_token(secret_key, i), demo_code(secret_key, i))
        for i, (_, lines) in enumerate(HOUSINGS)
    ]


def demo_campaign(session: Session) -> Campaign | None:
    return session.scalar(
        select(Campaign).join(Collectivite).where(Collectivite.siren == DEMO_SIREN,
                                                  Campaign.title == DEMO_TITLE))  # fmt: skip


def _create(session: Session, secret_key: str, today: date,
            content_root: str | Path) -> Collectivite:  # fmt: skip
    collectivite = Collectivite(
        name="Démoville (collectivité de démonstration)",
        short_name="Démoville",
        siren=DEMO_SIREN,
        kind="COM",
        perimeter=["58999"],  # a made-up INSEE code
        contact_points=[
            {
                "label": "Service habitat de Démoville",
                "phone": "01 23 45 67 89",
                "email": "habitat@demoville.example",
                "address": "Hôtel de ville, 1 place de la Mairie, 58000 Démoville",
                "hours": "du lundi au vendredi, de 9 h à 12 h",
            }
        ],
        settings={"signatories": [{"name": "Claire Martin", "role": "Maire de Démoville"}],
                  "letter": {"service": "Service habitat", "written_from": "Démoville"}},
    )  # fmt: skip
    session.add(collectivite)
    session.flush()
    apply(session, collectivite, DEMO_FILE)  # the import, as an agent's
    housing_ids = session.scalars(
        select(Housing.id).where(Housing.collectivite_id == collectivite.id)
        .order_by(Housing.local_id)
    ).all()  # fmt: skip
    campaign = create_campaign(
        session, collectivite.id, None, DEMO_TITLE, "Campagne de démonstration", None, housing_ids
    ).campaign
    campaign.letters_expire_at = datetime.combine(today, datetime.min.time(), UTC) + timedelta(
        days=270
    )
    set_send_date(session, campaign, today)  # the housings move to "En attente de retour"
    # The experiment « Courrier simplifié », its letters' arms given before they are printed.
    add_experiment(session, collectivite, campaign, content_root=content_root,
                   secret_key=secret_key, today=today)  # fmt: skip
    letters = session.scalars(
        select(Letter).join(Housing, Housing.id == Letter.housing_id)
        .where(Letter.campaign_id == campaign.id).order_by(Housing.local_id)
    ).all()  # fmt: skip
    for index, letter in enumerate(letters):  # printed codes, derived for the demo
        letter.seed = demo_seed(secret_key, index)
        codes = issue.derive(letter.seed, secret_key)
        letter.token_hash = hash_token(codes.token)
        letter.code_hash = hash_code(codes.code, secret_key)
        letter.sent_at = today
    return collectivite
