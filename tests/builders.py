"""Builders for model objects in tests: sensible defaults, override what matters."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from portal.backoffice import totp
from portal.letters.codes import hash_code, hash_token, new_code, new_token
from portal.models import Agent, Campaign, Collectivite, Housing, HousingOwner, Letter, Owner
from portal.passwords import hash_password

_sequence = itertools.count(1)
SECRET_KEY = "test-secret-key-0123456789abcdef0123456789"  # TestConfig's
PASSWORD = "correct horse battery staple"


def make_collectivite(session: Session, **fields) -> Collectivite:
    n = next(_sequence)
    values = {"name": f"Commune n°{n}", "siren": f"{200000000 + n:09d}", "kind": "COM",
              "perimeter": ["58194"]}  # fmt: skip
    collectivite = Collectivite(**(values | fields))
    session.add(collectivite)
    session.flush()
    return collectivite


def make_agent(session: Session, collectivite: Collectivite, **fields) -> Agent:
    n = next(_sequence)
    values = {"email": f"agent{n}@commune.example", "full_name": f"Agent {n}",
              "password_hash": hash_password(PASSWORD), "role": "agent"}  # fmt: skip
    agent = Agent(collectivite=collectivite, **(values | fields))
    session.add(agent)
    session.flush()
    return agent


def enrol_totp(session: Session, agent: Agent, at: datetime | None = None) -> Agent:
    """Give the agent a confirmed TOTP second factor (as if enrolled at `at`)."""
    agent.totp_secret = totp.new_secret()
    agent.totp_confirmed_at = at or datetime.now(UTC)
    session.flush()
    return agent


def totp_code(agent: Agent, steps_ahead: int = 0) -> str:
    """The agent's code at the portal's clock (plus `steps_ahead` 30-second steps)."""
    return totp.code_at(agent.totp_secret, totp.current_step() + steps_ahead)


def make_housing(session: Session, collectivite: Collectivite, **fields) -> Housing:
    n = next(_sequence)
    values = {"local_id": f"{580000000000 + n:012d}", "insee_code": "58194",
              "address_lines": [f"{n} rue de la Paix", "58000 Nevers"], "kind": "MAISON",
              "energy_label": "E", "vacancy_start_year": 2020}  # fmt: skip
    housing = Housing(collectivite=collectivite, **(values | fields))
    session.add(housing)
    session.flush()
    return housing


def make_owner(session: Session, collectivite: Collectivite, **fields) -> Owner:
    n = next(_sequence)
    values = {"full_name": f"Propriétaire {n}", "address_lines": ["1 rue du Port", "44000 Nantes"]}
    owner = Owner(collectivite=collectivite, **(values | fields))
    session.add(owner)
    session.flush()
    return owner


def make_campaign(session: Session, collectivite: Collectivite, **fields) -> Campaign:
    values = {"title": "Campagne test", "status": "in-progress", "sent_at": date.today(),
              "letters_expire_at": datetime.now(UTC) + timedelta(days=180)}  # fmt: skip
    campaign = Campaign(collectivite=collectivite, **(values | fields))
    session.add(campaign)
    session.flush()
    return campaign


def make_letter(session: Session, campaign: Campaign | None = None, **fields):
    """A letter with its dwelling and owner; returns (letter, token, code) in clear."""
    collectivite = campaign.collectivite if campaign else make_collectivite(session)
    campaign = campaign or make_campaign(session, collectivite)
    housing = fields.pop("housing", None) or make_housing(session, collectivite)
    owner = fields.pop("owner", None) or make_owner(session, collectivite)
    session.add(HousingOwner(housing=housing, owner=owner, rank=1))
    token, code = new_token(), new_code()
    letter = Letter(
        collectivite=collectivite, campaign=campaign, housing=housing, owner=owner,
        token_hash=hash_token(token), code_hash=hash_code(code, SECRET_KEY), **fields,
    )  # fmt: skip
    session.add(letter)
    session.flush()
    return letter, token, code
