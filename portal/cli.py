"""The `portal` command line: `portal db upgrade`, `portal demo`, `portal agents disable`…"""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup


def init_commands(app: Flask) -> None:
    from portal.commands import agents, content, database, demo, digest, i18n, outbox, security
    from portal.commands.campaigns import campaign, collectivite, worker
    from portal.commands.imports import import_file

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


def _create_app(*_args):
    from portal import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def main() -> None:
    """Portail propriétaires de logements vacants."""
