"""`portal create-agent`: give someone access to a collectivité's back-office."""

from __future__ import annotations

import click
from email_validator import EmailNotValidError, validate_email
from flask.cli import with_appcontext
from sqlalchemy import select

from portal.extensions import db
from portal.models import Agent, Collectivite
from portal.models.collectivite import AGENT_ROLES
from portal.passwords import MIN_LENGTH, hash_password


@click.command("create-agent")
@with_appcontext
@click.option("--email", required=True)
@click.option("--siren", required=True, help="SIREN of the agent's collectivité.")
@click.option("--name", "full_name", default="", help="Full name.")
@click.option("--role", type=click.Choice(AGENT_ROLES), default="agent", show_default=True)
@click.password_option(help=f"At least {MIN_LENGTH} characters (asked if not given).")
def create_agent(email: str, siren: str, full_name: str, role: str, password: str) -> None:
    """Create a back-office account for an agent of the collectivité with this SIREN."""
    try:
        email = validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise click.BadParameter(str(error), param_hint="--email") from None
    if len(password) < MIN_LENGTH:
        raise click.BadParameter(f"at least {MIN_LENGTH} characters", param_hint="--password")
    session = db.session()
    collectivite = session.scalar(select(Collectivite).where(Collectivite.siren == siren))
    if collectivite is None:
        raise click.BadParameter(f"no collectivité with SIREN {siren}", param_hint="--siren")
    if session.scalar(select(Agent).where(Agent.email == email)) is not None:
        raise click.ClickException(f"An agent with the e-mail {email} already exists.")
    session.add(
        Agent(
            collectivite=collectivite,
            email=email,
            full_name=full_name,
            role=role,
            password_hash=hash_password(password),
        )
    )
    session.commit()
    click.echo(f"Agent {email} ({role}) created for {collectivite.name}.")
