"""The agents' back-office, under /gestion."""

from flask import Blueprint

blueprint = Blueprint("backoffice", __name__, url_prefix="/gestion")

from portal.backoffice.views import answer, audit, auth, home, queue, settings  # noqa: E402, F401
