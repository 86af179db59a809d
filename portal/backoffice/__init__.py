"""The agents' back-office, under /gestion."""

from flask import Blueprint

blueprint = Blueprint("backoffice", __name__, url_prefix="/gestion")

from portal.backoffice.views import (  # noqa: E402, F401
    account,
    agents,
    answer,
    audit,
    auth,
    campaigns,
    experiments,
    home,
    housings,
    imports,
    letter,
    navigation,
    queue,
    reset,
    selection,
    settings,
)
