from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms.validators import InputRequired, Length

from portal.forms import PortalForm
from portal.forms.fields import EmailField, PasswordField


class LoginForm(PortalForm):
    email = EmailField(
        _l("Adresse e-mail"),
        validators=[
            InputRequired(_l("Saisissez votre adresse e-mail")),
            Length(max=254, message=_l("Cette adresse e-mail est trop longue")),
        ],
    )
    password = PasswordField(
        _l("Mot de passe"),
        validators=[
            InputRequired(_l("Saisissez votre mot de passe")),
            Length(max=200, message=_l("Ce mot de passe est trop long")),
        ],
    )


class LogoutForm(PortalForm):
    """Only the CSRF token: signing out is a POST."""
