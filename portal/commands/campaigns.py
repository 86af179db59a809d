"""`portal campaign list|letters|tick`, `portal collectivite create`, `portal worker`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from portal import clock, jobs
from portal.campaigns import returns, schedule
from portal.database import begin_write
from portal.extensions import db
from portal.models import Campaign, Collectivite, Job, JobFile
from portal.models.zlv import COLLECTIVITE_KINDS


@click.group("campaign")
def campaign() -> None:
    """Campaigns: list them, print their letters, move housings on their send date."""


def _collectivite(siren: str) -> Collectivite:
    found = db.session().scalar(select(Collectivite).where(Collectivite.siren == siren))
    if found is None:
        raise click.BadParameter(f"no collectivité with SIREN {siren}", param_hint="--collectivite")
    return found


@campaign.command("list")
@with_appcontext
@click.option("--collectivite", "siren", help="SIREN: only this collectivité's campaigns.")
def list_campaigns(siren: str | None) -> None:
    """One line per campaign: id, collectivité, state, send date, letters, returns."""
    session, today = db.session(), clock.local_date()
    query = select(Campaign).order_by(Campaign.id)
    if siren:
        query = query.where(Campaign.collectivite_id == _collectivite(siren).id)
    for found in session.scalars(query):
        figures = returns.figures(session, found)
        rate = f"{figures.rate:.1%}" if figures.rate is not None else "-"
        click.echo(f"{found.id}\t{found.collectivite.siren}\t{schedule.label(found, today)}\t"
                   f"{found.sent_at or '-'}\t{figures.letters} letters\t"
                   f"{figures.returns} returns ({rate})\t{found.title}")  # fmt: skip


@campaign.command("letters")
@with_appcontext
@click.argument("campaign_id", type=int)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The PDF to write; the recipients CSV is written beside it.")  # fmt: skip
def letters(campaign_id: int, out: Path) -> None:
    """Print CAMPAIGN's letters as one PDF (the same codes at every printing)."""
    session = db.session()
    found = session.get(Campaign, campaign_id)
    if found is None:
        raise click.BadParameter(f"no campaign {campaign_id}", param_hint="CAMPAIGN")
    job = Job(collectivite_id=found.collectivite_id, kind="letters", campaign_id=found.id)
    begin_write(session, reload=False)
    session.add(job)
    session.commit()

    def show(done: int, total: int | None) -> None:
        if total and (done == total or done % 500 == 0):
            click.echo(f"\r{done}/{total} letters", nl=done == total, err=True)

    state = jobs.run(current_app._get_current_object(), job.id, show)
    session.expire_all()
    if state != "done":
        raise click.ClickException(f"letters not made: {session.get(Job, job.id).error}")
    for role, path in (("pdf", out), ("csv", out.with_suffix(".csv"))):
        path.write_bytes(session.get(JobFile, (job.id, role)).data)
        click.echo(f"Wrote {path}")


@campaign.command("tick")
@with_appcontext
def tick() -> None:
    """Daily: move the housings of campaigns whose send date is reached (idempotent)."""
    session = db.session()
    begin_write(session)
    moved = schedule.tick(session)
    session.commit()
    click.echo(f"{moved} housing(s) moved to « En attente de retour ».")


@click.group("collectivite")
def collectivite() -> None:
    """Collectivités (the tenants)."""


@collectivite.command("create")
@with_appcontext
@click.option("--siren", required=True, help="9 digits.")
@click.option("--name", required=True)
@click.option("--short-name", default=None)
@click.option("--kind", type=click.Choice(COLLECTIVITE_KINDS), default="COM", show_default=True)
@click.option("--perimeter", default="", help="INSEE codes of its communes, comma-separated.")
def create_collectivite(siren: str, name: str, short_name: str | None, kind: str,
                        perimeter: str) -> None:  # fmt: skip
    """Create a collectivité, then give it agents with `portal create-agent`."""
    if not (len(siren) == 9 and siren.isdigit()):
        raise click.BadParameter("9 digits", param_hint="--siren")
    codes = [code.strip().upper() for code in perimeter.split(",") if code.strip()]
    if any(len(code) != 5 for code in codes):
        raise click.BadParameter("INSEE codes have 5 characters", param_hint="--perimeter")
    session = db.session()
    begin_write(session)
    if session.scalar(select(Collectivite).where(Collectivite.siren == siren)):
        raise click.ClickException(f"a collectivité with SIREN {siren} exists already")
    session.add(Collectivite(siren=siren, name=name.strip(), short_name=short_name, kind=kind,
                             perimeter=codes))  # fmt: skip
    session.commit()
    click.echo(f"Created {name} ({siren}).")


@click.command("worker")
@with_appcontext
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker(burst: bool) -> None:
    """Run background jobs from Redis (REDIS_URL): letters, large imports, and once a day
    (from DAILY_TASKS_HOUR) the campaign tick and the retention purge."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        raise click.ClickException("REDIS_URL is not set: jobs run inside the app instead.")
    from redis import Redis
    from rq import Queue

    from portal.jobs.worker import PortalWorker

    connection = Redis.from_url(url)
    queue = Queue(jobs.QUEUE_NAME, connection=connection)
    PortalWorker([queue], connection=connection).work(burst=burst)
