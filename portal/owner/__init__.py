"""Public letter pages: the QR target, the typed-code route, the owner's landing."""

from flask import Blueprint

blueprint = Blueprint("owner", __name__)

from portal.owner import contact, diagnostic, summary, views  # noqa: E402, F401
