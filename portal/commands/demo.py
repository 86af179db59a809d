"""`portal demo`: load the demo data and print where to look."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from portal import clock, jobs
from portal.commands.demo_owners import simulate_outcomes
from portal.commands.hosts import refuse_public_development
from portal.database import begin_write
from portal.demo import DEMO_AGENT_EMAIL, DEMO_AGENT_PASSWORD, demo_campaign, load_demo
from portal.demo_experiment import demo_experiment
from portal.extensions import db
from portal.letters.codes import format_code
from portal.models import Job, JobFile


@click.command()
@with_appcontext
@click.option("--base-url", help="Address the portal is served at (default: PORTAL_BASE_URL).")
def demo(base_url: str | None) -> None:
    """Load demo data (idempotent) and print the URLs and the demo agent's login."""
    if current_app.config["PORTAL_ENV"] == "production":
        raise click.ClickException("Demo data is never loaded in production.")
    if base_url:  # where `make run` will serve: refused before anything is loaded
        refuse_public_development(urlsplit(base_url).hostname or "")
    base = (base_url or current_app.config["PORTAL_BASE_URL"]).rstrip("/")
    session = db.session()
    letters = load_demo(session, current_app.config["SECRET_KEY"],
                        content_root=current_app.config["GUIDANCE_CONTENT_PATH"])  # fmt: skip
    campaign = demo_campaign(session)
    simulate_outcomes(session, campaign.collectivite_id, current_app.extensions["content"],
                      today=clock.local_date())  # fmt: skip
    pdf_path = _letters_pdf(session)
    click.echo("")
    click.echo(f"  Portail propriétaires : {base}/")
    click.echo(f"  Back-office           : {base}/gestion/connexion")
    click.echo(f"      e-mail            : {DEMO_AGENT_EMAIL}")
    click.echo(f"      mot de passe      : {DEMO_AGENT_PASSWORD}")
    click.echo(f"  Campagne              : {base}/gestion/campagnes/{campaign.id}")
    experiment = demo_experiment(session, campaign.collectivite_id)
    if experiment is not None:  # absent from demo data loaded before it existed
        click.echo(f"  Expérimentation       : {base}/gestion/experiences/{experiment.id}/analyse")
    click.echo(f"  Statistiques          : {base}/stats")
    click.echo(f"  Courriers (PDF)       : {pdf_path}")
    click.echo("  Courriers de démonstration (adresse du QR code, puis code à saisir sur /code) :")
    for letter in letters:
        click.echo(f"    {letter.address}")
        click.echo(f"      {base}/l/{letter.token}    code {format_code(letter.code)}")
    click.echo("")


def _letters_pdf(session) -> Path:
    """The demo campaign's letters, made by the letters job as an agent's "Préparer les
    courriers" would (once: the job's PDF is kept), copied to instance/courriers-demo.pdf."""
    campaign = demo_campaign(session)
    done = session.scalar(
        select(Job).where(Job.campaign_id == campaign.id, Job.kind == "letters",
                          Job.state == "done").order_by(Job.id.desc()).limit(1)
    )  # fmt: skip
    if done is None:
        done = Job(collectivite_id=campaign.collectivite_id, kind="letters",
                   campaign_id=campaign.id)  # fmt: skip
        begin_write(session, reload=False)
        session.add(done)
        session.commit()
        if jobs.run(current_app._get_current_object(), done.id) != "done":
            raise click.ClickException("The demo letters could not be made.")
    session.expire_all()
    path = Path(current_app.instance_path) / "courriers-demo.pdf"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(session.get(JobFile, (done.id, "pdf")).data)
    return path
