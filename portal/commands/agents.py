"""`portal create-agent`: give someone access to a collectivité's back-office;
`portal agents disable|enable|end-sessions|reset-totp EMAIL`: act on an account."""

from __future__ import annotations

from collections.abc import Callable

import click
from email_validator import EmailNotValidError, validate_email
from flask.cli import with_appcontext
from sqlalchemy import select

from portal.backoffice import sessions, totp
from portal.backoffice.auth_log import auth_event
from portal.database import begin_write
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
    password_hash = hash_password(password)  # (slow: before the write lock)
    session = db.session()
    begin_write(session)  # the checks and the new row, in one write transaction
    collectivite = session.scalar(select(Collectivite).where(Collectivite.siren == siren))
    if collectivite is None:
        raise click.BadParameter(f"no collectivité with SIREN {siren}", param_hint="--siren")
    if session.scalar(select(Agent).where(Agent.email == email)) is not None:
        raise click.ClickException(f"An agent with the e-mail {email} already exists.")
    session.add(Agent(collectivite=collectivite, email=email, full_name=full_name, role=role,
                      password_hash=password_hash))  # fmt: skip
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


def account_command(name: str):
    """An `agents NAME EMAIL` command from a function that acts on the agent and returns
    the auth event to log (None: none) and the line to print, once the change is committed.
    The function's docstring is the command's help."""

    def decorate(act: Callable[[Agent], tuple[str | None, str]]) -> click.Command:
        @agents.command(name, help=act.__doc__)
        @with_appcontext
        @click.argument("email")
        def command(email: str) -> None:
            agent = _agent(email)
            begin_write(db.session())
            event, message = act(agent)
            db.session.commit()
            if event:
                auth_event(event, agent=agent.id, by="cli")
            click.echo(message)

        return command

    return decorate


@account_command("disable")
def disable(agent: Agent) -> tuple[str, str]:
    """Disable the account and end all its sessions at once."""
    agent.is_active = False
    count = sessions.end_all(db.session(), agent, "agent-disabled")
    return "agent-disabled", f"Agent {agent.email} disabled; {count} session(s) ended."


@account_command("enable")
def enable(agent: Agent) -> tuple[str, str]:
    """Enable the account again."""
    agent.is_active = True
    return "agent-enabled", f"Agent {agent.email} enabled."


@account_command("end-sessions")
def end_sessions(agent: Agent) -> tuple[None, str]:
    """End all the agent's sessions (they sign in again)."""
    count = sessions.end_all(db.session(), agent, "cli")
    return None, f"{count} session(s) of {agent.email} ended."


@account_command("reset-totp")
def reset_totp(agent: Agent) -> tuple[str, str]:
    """Forget the agent's second factor (lost phone) and end their sessions."""
    totp.reset(agent)
    count = sessions.end_all(db.session(), agent, "totp-reset")
    return "totp-reset", f"Second factor of {agent.email} reset; {count} session(s) ended."
