"""`portal demo`: load the demo data and print where to look."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from portal.demo import DEMO_AGENT_EMAIL, DEMO_AGENT_PASSWORD, load_demo
from portal.extensions import db
from portal.letters.codes import format_code


@click.command()
@with_appcontext
@click.option("--base-url", help="Address the portal is served at (default: PORTAL_BASE_URL).")
def demo(base_url: str | None) -> None:
    """Load demo data (idempotent) and print the URLs and the demo agent's login."""
    if current_app.config["PORTAL_ENV"] == "production":
        raise click.ClickException("Demo data is never loaded in production.")
    base = (base_url or current_app.config["PORTAL_BASE_URL"]).rstrip("/")
    letters = load_demo(db.session(), current_app.config["SECRET_KEY"])
    click.echo("")
    click.echo(f"  Portail propriétaires : {base}/")
    click.echo(f"  Back-office           : {base}/gestion/connexion")
    click.echo(f"      e-mail            : {DEMO_AGENT_EMAIL}")
    click.echo(f"      mot de passe      : {DEMO_AGENT_PASSWORD}")
    click.echo("  Courriers de démonstration (adresse du QR code, puis code à saisir sur /code) :")
    for letter in letters:
        click.echo(f"    {letter.address}")
        click.echo(f"      {base}/l/{letter.token}    code {format_code(letter.code)}")
    click.echo("")
