from flask import Blueprint

blueprint = Blueprint("public", __name__)

from portal.public import views  # noqa: E402, F401
