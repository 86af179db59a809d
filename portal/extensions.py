"""Extension singletons, created uninitialised and bound to an app in `create_app`."""

from __future__ import annotations

from flask_babel import Babel
from flask_mail import Mail
from flask_wtf.csrf import CSRFProtect

from portal.database import Database

db = Database()
csrf = CSRFProtect()
mail = Mail()
babel = Babel()
