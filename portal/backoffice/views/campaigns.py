"""A campaign's page (minimal for now: its name, state and letters; the campaign's own page
with its send date, letters and figures replaces it)."""

from __future__ import annotations

from flask import abort, g, render_template
from flask_babel import format_number

from portal import clock
from portal.backoffice import blueprint
from portal.backoffice.auth import login_required
from portal.backoffice.queries import campaign_with_count
from portal.campaigns.schedule import label
from portal.extensions import db


@blueprint.get("/campagnes/<int:campaign_id>")
@login_required
def campaign(campaign_id: int):
    found = campaign_with_count(db.session(), g.collectivite.id, campaign_id)
    if found is None:
        abort(404)
    campaign, letters = found
    return render_template("backoffice/campaign.html", campaign=campaign, letters=letters,
                           state=label(campaign, clock.local_date()),
                           format_number=format_number)  # fmt: skip
