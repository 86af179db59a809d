from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms.validators import EqualTo, InputRequired, Length, Regexp, ValidationError

from portal.forms import PortalForm
from portal.forms.fields import EmailField, PasswordField, StringField
from portal.passwords import MAX_LENGTH, MIN_LENGTH, is_common_password


def _email_field():
    return EmailField(
        _l("Adresse e-mail"),
        validators=[
            InputRequired(_l("Saisissez votre adresse e-mail")),
            Length(max=254, message=_l("Cette adresse e-mail est trop longue")),
        ],
    )


def _password_field(label):
    """The agent's current password (signing in, or confirming it is them)."""
    return PasswordField(
        label,
        validators=[
            InputRequired(_l("Saisissez votre mot de passe")),
            Length(max=MAX_LENGTH, message=_l("Ce mot de passe est trop long")),
        ],
    )


class LoginForm(PortalForm):
    email = _email_field()
    password = _password_field(_l("Mot de passe"))


class ActionForm(PortalForm):
    """Only the CSRF token: for the buttons that change something (always a POST)."""


LogoutForm = ActionForm


def _code_field(label):
    return StringField(
        label,
        validators=[
            InputRequired(_l("Saisissez le code à 6 chiffres affiché par votre application")),
            Regexp(r"^\s*(\d\s*){6}$", message=_l("Le code est fait de 6 chiffres")),
        ],
        description=_l("6 chiffres, par exemple 123456. Il change toutes les 30 secondes."),
    )


class TotpCodeForm(PortalForm):
    code = _code_field(_l("Code de votre application d’authentification"))


class TotpEnrolForm(PortalForm):
    """Re-authentication before changing the second factor (ASVS 7.5.1), then the code."""

    password = _password_field(_l("Votre mot de passe"))
    code = _code_field(_l("Code affiché par l’application"))


class ForgottenPasswordForm(PortalForm):
    email = _email_field()


def not_common(_form, field) -> None:
    if field.data and len(field.data) >= MIN_LENGTH and is_common_password(field.data):
        raise ValidationError(
            _l(
                "Ce mot de passe est trop courant : choisissez-en un autre, par exemple "
                "une phrase de plusieurs mots"
            )
        )


class NewPasswordForm(PortalForm):
    password = PasswordField(
        _l("Nouveau mot de passe"),
        validators=[
            InputRequired(_l("Saisissez un nouveau mot de passe")),
            Length(
                min=MIN_LENGTH, message=_l("Choisissez un mot de passe d’au moins 12 caractères")
            ),
            Length(
                max=MAX_LENGTH, message=_l("Choisissez un mot de passe de 256 caractères au plus")
            ),
            not_common,
        ],
        description=_l(
            "Au moins 12 caractères. Une phrase de plusieurs mots est facile à "
            "retenir et difficile à deviner."
        ),
    )
    confirmation = PasswordField(
        _l("Confirmez le nouveau mot de passe"),
        validators=[
            InputRequired(_l("Saisissez à nouveau le mot de passe")),
            EqualTo("password", message=_l("Les deux mots de passe sont différents")),
        ],
    )
