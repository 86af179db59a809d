"""The JSON API (versioned under /api/v1). Forms' CSRF does not apply to it."""

from flask import Blueprint

from portal.extensions import csrf

blueprint = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(blueprint)

from portal.api import diagnostic, openapi, views  # noqa: E402, F401
