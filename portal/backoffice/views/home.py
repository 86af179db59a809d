"""The back-office home: the collectivité's campaigns."""

from __future__ import annotations

from flask import g, render_template

from portal import clock
from portal.backoffice import blueprint
from portal.backoffice.auth import login_required
from portal.backoffice.queries import campaigns_with_counts
from portal.campaigns import schedule
from portal.extensions import db


@blueprint.get("/")
@login_required
def home():
    campaigns = campaigns_with_counts(db.session(), g.collectivite.id)
    today = clock.local_date()
    return render_template(
        "backoffice/home.html",
        campaigns=campaigns,
        state_label=lambda campaign: schedule.label(campaign, today),
    )
