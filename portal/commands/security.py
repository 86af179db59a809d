"""`portal security lookups`: failed owner lookups per hour and the alert threshold, for an
operator checking on a spike (see portal/lookup_alert.py)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import force_locale, format_datetime

from portal import clock
from portal.lookup_alert import current_alert, hour_of


@click.group()
def security() -> None:
    """Security watch."""


@security.command()
@click.option("--hours", default=24, show_default=True, type=click.IntRange(1, 24 * 7),
              help="How many hours to show, up to the current one.")  # fmt: skip
@with_appcontext
def lookups(hours: int) -> None:
    """Failed QR-link and typed-code lookups per hour (all addresses), and the alert."""
    alert = current_alert()
    moment = clock.now()
    counts = alert.last_hours(moment, hours)
    baseline = alert.baseline(hour_of(moment))
    click.echo(f"Failed owner lookups per hour, all addresses, last {hours} hours:")
    click.echo(f"  {'hour (UTC)':<17} {'Paris':>5} {'failures':>9}")
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        for count in counts:
            paris = format_datetime(count.hour_start, "HH:mm")
            mark = "  alert raised" if count.alerted else ""
            click.echo(f"  {count.hour_start:%Y-%m-%d %H:%M} {paris:>5} {count.failures:>9}{mark}")
    click.echo(
        f"Baseline: {baseline.per_hour:.1f} per hour (mean of the {baseline.hours} hours before "
        f"the current one, alerted hours left out)."
    )
    click.echo(
        f"Threshold: {baseline.threshold:.1f} failures in one hour = {baseline.factor} x "
        f"max(baseline, floor {baseline.floor})."
    )
    current = counts[-1]
    state = "alert raised" if current.alerted else (
        "over the threshold" if current.failures > baseline.threshold else "under the threshold"
    )  # fmt: skip
    click.echo(f"Current hour: {current.failures} failures, {state}.")
    recipient = current_app.config.get("SECURITY_ALERT_EMAIL")
    if recipient:
        click.echo(f"Alert e-mails to: {recipient}")
    else:
        click.echo("Alert e-mails: SECURITY_ALERT_EMAIL is not set, alerts are only logged.")
