"""`portal db upgrade|downgrade|current|revision`: Alembic, with the portal's settings."""

from __future__ import annotations

import click
from alembic import command
from alembic.config import Config as AlembicConfig
from flask import current_app
from flask.cli import with_appcontext

from portal.config import ROOT

MIGRATIONS = ROOT / "portal" / "migrations"


def alembic_config(database_url: str) -> AlembicConfig:
    if database_url.startswith("sqlite:///"):
        (ROOT / "instance").mkdir(exist_ok=True)
    config = AlembicConfig(str(MIGRATIONS / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["database_url"] = database_url
    # The portal's logging (JSON lines, portal/logs.py) stays: alembic.ini's is for `alembic`.
    config.attributes["configure_logging"] = False
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Apply migrations up to `revision`."""
    command.upgrade(alembic_config(database_url), revision)


@click.group()
def db() -> None:
    """Database migrations."""


@db.command(name="upgrade")
@with_appcontext
@click.argument("revision", default="head")
def upgrade_command(revision: str) -> None:
    """Apply migrations up to REVISION (head by default)."""
    upgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"Database at {revision}.")


@db.command()
@with_appcontext
@click.argument("revision", default="-1")
def downgrade(revision: str) -> None:
    """Revert migrations down to REVISION (one step by default)."""
    command.downgrade(alembic_config(current_app.config["DATABASE_URL"]), revision)


@db.command()
@with_appcontext
def current() -> None:
    """Show the database's current revision."""
    command.current(alembic_config(current_app.config["DATABASE_URL"]))


@db.command()
@with_appcontext
@click.option("-m", "--message", required=True)
def revision(message: str) -> None:
    """Autogenerate a migration from the models (review it before committing)."""
    command.revision(
        alembic_config(current_app.config["DATABASE_URL"]), message=message, autogenerate=True
    )
