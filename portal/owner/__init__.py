"""Public letter pages: the QR target, the typed-code route, the owner's landing."""

from flask import Blueprint

blueprint = Blueprint("owner", __name__)


@blueprint.record_once
def init_landing_reader(state) -> None:
    from portal.owner.landing import LandingReader

    state.app.extensions["landing_reader"] = LandingReader(state.app.extensions["database"])


from portal.owner import contact, diagnostic, summary, views  # noqa: E402, F401
