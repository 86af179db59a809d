"""The back-office home: the collectivité's campaigns."""

from __future__ import annotations

from flask import g, render_template

from portal.backoffice import blueprint
from portal.backoffice.auth import login_required
from portal.backoffice.queries import campaigns_with_counts
from portal.extensions import db


@blueprint.get("/")
@login_required
def home():
    campaigns = campaigns_with_counts(db.session(), g.collectivite.id)
    return render_template("backoffice/home.html", campaigns=campaigns)
