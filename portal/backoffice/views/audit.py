"""The access log, for the collectivité's admins (403 for agents)."""

from __future__ import annotations

from flask import g, render_template, request

from portal.backoffice import blueprint
from portal.backoffice.audit import access_page
from portal.backoffice.auth import login_required
from portal.backoffice.views.settings import admins_only
from portal.extensions import db


@blueprint.get("/audit")
@login_required
def audit():
    admins_only()
    page = access_page(db.session(), g.collectivite.id, request.args.get("apres"))
    return render_template("backoffice/audit.html", page=page)
