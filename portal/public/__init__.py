from flask import Blueprint

blueprint = Blueprint("public", __name__)

from portal.public import aids, logos, stats, views  # noqa: E402, F401
