"""The `portal` command line: `portal db upgrade`, `portal demo`, `portal agents disable`…"""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup, run_command

from portal.commands.hosts import refuse_public_development
from portal.config import ConfigurationError


def init_commands(app: Flask) -> None:
    from portal.commands import agents, content, database, demo, digest, i18n, outbox, security
    from portal.commands.campaigns import campaign, collectivite, worker
    from portal.commands.experiments import experiments
    from portal.commands.imports import import_file
    from portal.commands.retention import retention_group

    groups = (database.db, i18n.i18n, content.content, content.rules, outbox.outbox)
    for group in (*groups, security.security, digest.digest):
        app.cli.add_command(group)
    app.cli.add_command(demo.demo)
    app.cli.add_command(agents.create_agent)
    app.cli.add_command(agents.agents)
    app.cli.add_command(import_file)
    app.cli.add_command(campaign)
    app.cli.add_command(campaign, name="campaigns")  # `portal campaigns tick` reads well too
    app.cli.add_command(collectivite)
    app.cli.add_command(worker)
    app.cli.add_command(retention_group)
    app.cli.add_command(experiments)


def _create_app(*_args):
    from portal import create_app

    return create_app()


@click.pass_context
def _guarded_run(ctx: click.Context, **options) -> None:
    try:
        refuse_public_development(options["host"])
    except ConfigurationError as error:
        raise click.UsageError(str(error)) from None
    ctx.invoke(run_command.callback, **options)


# `portal run`: Flask's command, but it refuses a non-loopback address outside production.
guarded_run_command = click.Command(
    "run",
    callback=_guarded_run,
    params=run_command.params,
    help=run_command.help,
    short_help=run_command.short_help,
)


class PortalGroup(FlaskGroup):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.add_command(guarded_run_command)  # replaces Flask's `run`


@click.group(cls=PortalGroup, create_app=_create_app, add_version_option=False)
def main() -> None:
    """Portail propriétaires de logements vacants."""
