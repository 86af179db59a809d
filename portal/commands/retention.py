"""`portal retention purge [--dry-run]`: delete or anonymise what is past its period."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from portal import clock, retention
from portal.extensions import db

LABELS = {
    "callback_requests": "call-back request(s) anonymised",
    "responses": "response(s) anonymised",
    "access_log": "access log line(s) deleted",
    "agent_sessions": "agent session(s) deleted",
    "job_files": "job file(s) deleted",
    "outbox": "sent e-mail(s) deleted",
}


@click.group("retention")
def retention_group() -> None:
    """Retention of personal data (periods: RETENTION_* settings)."""


@retention_group.command("purge")
@with_appcontext
@click.option("--dry-run", is_flag=True, help="Count what would be purged; change nothing.")
def purge(dry_run: bool) -> None:
    """Daily: delete or anonymise personal data past its retention period."""
    session, now = db.session(), clock.now()
    periods = retention.Periods.from_config(current_app.config)
    if dry_run:
        report = retention.count(session, now, periods)
        session.rollback()
    else:
        report = retention.purge(session, now, periods)
    prefix = "Would purge: " if dry_run else ""
    for kind in retention.KINDS:
        click.echo(f"{prefix}{report.total(kind)} {LABELS[kind]}")
    click.echo(f"{prefix}{report.rate_limit_hits} rate-limit hit(s) deleted")
    if not dry_run:
        click.echo(f"{len(report.per_collectivite())} collectivité(s) concerned, "
                   f"one « {retention.EVENT_KIND} » event each.")  # fmt: skip
