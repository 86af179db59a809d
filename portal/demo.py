"""Demo data for `portal demo`: a collectivité, an agent, a campaign with three letters.

Idempotent: running it again changes nothing and prints the same URLs. Demo letter tokens
and codes are derived from SECRET_KEY (real letters' tokens are random), so that they can
be printed again although only their hashes are stored.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import clock
from portal.letters.codes import ALPHABET, CODE_LENGTH, check_character, hash_code, hash_token
from portal.models import Agent, Campaign, Collectivite, Housing, HousingOwner, Letter, Owner
from portal.passwords import hash_password

DEMO_SIREN = "999999999"
DEMO_AGENT_EMAIL = "agent@demoville.example"
DEMO_AGENT_PASSWORD = "demo-portail-2026"  # noqa: S105 (printed on purpose: demo only)

HOUSINGS = (
    # local id, address lines, kind, area, rooms, built, vacant since, label, owner
    ("580000000001", ["12 rue des Tilleuls", "58000 Démoville"], "MAISON", 94, 4, 1931, 2019,
     "F", ("Jeanne Martin", ["8 allée des Roses", "45000 Orléans"])),
    ("580000000002", ["3 place du Marché, 2e étage", "58000 Démoville"], "APPART", 58, 3, 1965,
     2021, "E", ("Indivision Bernard", ["27 avenue Foch", "69006 Lyon"])),
    ("580000000003", ["41 chemin du Moulin", "58000 Démoville"], "MAISON", 120, 5, 1890, 2016,
     "G", ("SCI Les Acacias", ["5 rue Nationale", "58000 Démoville"])),
)  # fmt: skip


@dataclass(frozen=True)
class DemoLetter:
    address: str
    token: str
    code: str


def _derived(secret_key: str, purpose: str) -> bytes:
    return hmac.new(secret_key.encode(), f"demo:{purpose}".encode(), hashlib.sha256).digest()


def demo_token(secret_key: str, index: int) -> str:
    return _derived(secret_key, f"token:{index}").hex()[:32]  # 128 bits


def demo_code(secret_key: str, index: int) -> str:
    raw = _derived(secret_key, f"code:{index}")
    body = "".join(ALPHABET[byte % 32] for byte in raw[:CODE_LENGTH])
    return body + check_character(body)


def load_demo(session: Session, secret_key: str, today: date | None = None) -> list[DemoLetter]:
    """Create the demo data if it is not there; return the demo letters either way."""
    today = today or clock.now().date()
    collectivite = session.scalar(select(Collectivite).where(Collectivite.siren == DEMO_SIREN))
    if collectivite is None:
        collectivite = _create(session, secret_key, today)
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
        for i, (_, lines, *_rest) in enumerate(HOUSINGS)
    ]


def _create(session: Session, secret_key: str, today: date) -> Collectivite:
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
    )
    campaign = Campaign(
        collectivite=collectivite,
        title="Logements vacants depuis plus de deux ans — novembre 2026",
        description="Campagne de démonstration",
        status="in-progress",
        sent_at=today,
        letters_expire_at=datetime.combine(today, datetime.min.time(), UTC) + timedelta(days=270),
    )
    session.add_all([collectivite, campaign])
    for index, row in enumerate(HOUSINGS):
        local_id, lines, kind, area, rooms, built, vacant_since, label, owner_row = row
        housing = Housing(
            collectivite=collectivite, local_id=local_id, address_lines=lines, insee_code="58999",
            kind=kind, living_area=area, rooms_count=rooms, building_year=built,
            vacancy_start_year=vacant_since, energy_label=label, occupancy="V", status="waiting",
        )  # fmt: skip
        owner = Owner(collectivite=collectivite, full_name=owner_row[0], address_lines=owner_row[1])
        session.add_all([housing, owner, HousingOwner(housing=housing, owner=owner, rank=1)])
        session.add(
            Letter(
                collectivite=collectivite, campaign=campaign, housing=housing, owner=owner,
                token_hash=hash_token(demo_token(secret_key, index)),
                code_hash=hash_code(demo_code(secret_key, index), secret_key),
                sent_at=today,
            )
        )  # fmt: skip
    return collectivite
