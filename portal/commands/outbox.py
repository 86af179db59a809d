"""`portal outbox send`: send the e-mails that are due (run it every minute or so)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from portal.extensions import db, mail
from portal.outbox import flask_mail_sender, send_due


@click.group()
def outbox() -> None:
    """E-mails waiting to be sent."""


@outbox.command()
@with_appcontext
def send() -> None:
    """Send every message that is due; failures are retried later."""
    sender = flask_mail_sender(mail, current_app.config["MAIL_DEFAULT_SENDER"])
    sent, failed = send_due(db.session(), sender)
    click.echo(f"{sent} sent, {failed} to retry")
