from __future__ import annotations

from flask import jsonify, url_for

from portal import __version__
from portal.api import blueprint


@blueprint.get("/")
def index():
    """What this API version offers."""
    return jsonify(
        name="portal",
        version=__version__,
        api_version="v1",
        health=url_for("health.healthz"),
        openapi=url_for("api.openapi"),
    )
