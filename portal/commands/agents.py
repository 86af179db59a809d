"""`portal create-agent`: give someone access to a collectivité's back-office;
`portal agents disable|enable|end-sessions|reset-totp EMAIL`: act on an account."""

from __future__ import annotations

import click
from email_validator import EmailNotValidError, validate_email
from flask.cli import with_appcontext
from sqlalchemy import select

from portal.backoffice import sessions, totp
from portal.backoffice.auth_log import auth_event
from portal.extensions import db
from portal.models import Agent, Collectivite
from portal.models.collectivite import AGENT_ROLES
from portal.passwords import MIN_LENGTH, hash_password, is_common_password


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
    if is_common_password(password):
        raise click.BadParameter("a common password: choose another", param_hint="--password")
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


@click.group()
def agents() -> None:
    """Act on an agent's account (by e-mail address)."""


def _agent(email: str) -> Agent:
    agent = db.session.scalar(select(Agent).where(Agent.email == email.strip().lower()))
    if agent is None:
        raise click.ClickException(f"No agent with the e-mail {email}.")
    return agent


@agents.command()
@with_appcontext
@click.argument("email")
def disable(email: str) -> None:
    """Disable the account and end all its sessions at once."""
    agent = _agent(email)
    agent.is_active = False
    count = sessions.end_all(db.session(), agent, "agent-disabled")
    db.session.commit()
    auth_event("agent-disabled", agent=agent.id, by="cli")
    click.echo(f"Agent {agent.email} disabled; {count} session(s) ended.")


@agents.command()
@with_appcontext
@click.argument("email")
def enable(email: str) -> None:
    """Enable the account again."""
    agent = _agent(email)
    agent.is_active = True
    db.session.commit()
    auth_event("agent-enabled", agent=agent.id, by="cli")
    click.echo(f"Agent {agent.email} enabled.")


@agents.command("end-sessions")
@with_appcontext
@click.argument("email")
def end_sessions(email: str) -> None:
    """End all the agent's sessions (they sign in again)."""
    agent = _agent(email)
    count = sessions.end_all(db.session(), agent, "cli")
    db.session.commit()
    click.echo(f"{count} session(s) of {agent.email} ended.")


@agents.command("reset-totp")
@with_appcontext
@click.argument("email")
def reset_totp(email: str) -> None:
    """Forget the agent's second factor (lost phone) and end their sessions."""
    agent = _agent(email)
    totp.reset(agent)
    count = sessions.end_all(db.session(), agent, "totp-reset")
    db.session.commit()
    auth_event("totp-reset", agent=agent.id, by="cli")
    click.echo(f"Second factor of {agent.email} reset; {count} session(s) ended.")
