"""`portal digest send`: queue the digest e-mails that are due (run it once a day)."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from flask.cli import with_appcontext

from portal.extensions import db


def parse_moment(_ctx, _param, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("an ISO 8601 date-time, e.g. 2026-11-24T07:00+01:00") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


@click.group()
def digest() -> None:
    """Digest e-mails to the collectivités' agents."""


@digest.command()
@click.option("--now", callback=parse_moment,
              help="Act as if it were this moment (ISO 8601; UTC without an offset).")  # fmt: skip
@with_appcontext
def send(now: datetime | None) -> None:
    """Queue each due digest in the outbox (`portal outbox send` sends them)."""
    from portal.backoffice.digest import send_digests

    outcomes = send_digests(db.session(), now)
    failed = [o for o in outcomes if o.failed]
    due = [o for o in outcomes if o.due and not o.failed]
    sent = [o for o in due if o.queued]
    click.echo(
        f"{len(sent)} digest(s) queued ({sum(o.queued for o in sent)} e-mail(s)), "
        f"{len(due) - len(sent)} with nothing new or no active agent, "
        f"{len(outcomes) - len(due) - len(failed)} not due"
        + (f", {len(failed)} failed (see the log; tried again next run)" if failed else "")
    )
    if failed:
        raise SystemExit(1)
