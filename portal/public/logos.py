"""Collectivités' logos uploaded in the back-office, served from the database.

The URL carries the logo's version (the start of its SHA-256), so a page always names the
logo it was rendered with and browsers may keep it a year; an older version redirects to
the current one. Only the re-encoded PNG or JPEG is ever served (portal.backoffice.logo),
with its own content type: never a file as uploaded, never SVG.
"""

from __future__ import annotations

from flask import Response, abort, redirect, url_for

from portal.extensions import db
from portal.models import CollectiviteLogo
from portal.public import blueprint

YEAR = 365 * 24 * 3600


@blueprint.get("/logos/<int:collectivite_id>/<version>")
def logo(collectivite_id: int, version: str):
    stored = db.session.get(CollectiviteLogo, collectivite_id)
    if stored is None:
        abort(404)
    if version != stored.version:
        return redirect(url_for("public.logo", collectivite_id=collectivite_id,
                                version=stored.version), 302)  # fmt: skip
    response = Response(stored.data, mimetype=stored.media_type)
    response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    response.headers["Content-Disposition"] = "inline"
    return response
