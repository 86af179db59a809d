"""The call-back request form and its rules (phone or e-mail, consent)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms.fields import SelectChoice
from wtforms.validators import Email, InputRequired, Optional

from portal.forms import PortalForm, optional
from portal.forms.fields import (
    BooleanField,
    EmailField,
    MultiCheckboxField,
    RadioField,
    TelField,
    TextAreaField,
)
from portal.models.contact import MOMENTS
from portal.phones import ValidPhone, parse_phone

PHONE_MESSAGE = _l("Saisissez un numéro de téléphone valide, par exemple 06 12 34 56 78")
EMAIL_MESSAGE = _l("Saisissez une adresse e-mail valide, par exemple nom@exemple.fr")


class CallbackForm(PortalForm):
    phone = TelField(
        _l("Numéro de téléphone (facultatif)"),
        description=_l("Par exemple : 06 12 34 56 78"),
        validators=optional(40, _l("Ce numéro est trop long"), ValidPhone(PHONE_MESSAGE)),
    )
    email = EmailField(
        _l("Adresse e-mail (facultatif)"),
        description=_l("Vous recevrez un accusé de réception."),
        validators=optional(254, _l("Cette adresse e-mail est trop longue"), Email(EMAIL_MESSAGE)),
    )
    moments = MultiCheckboxField(
        _l("Quand préférez-vous être appelé ? (facultatif)"),
        choices=[SelectChoice(value, label) for value, label in MOMENTS.items()],
        validators=[Optional()],
    )
    note = TextAreaField(
        _l("Un message pour votre collectivité (facultatif)"),
        description=_l("N’y indiquez pas d’informations sur votre santé ou vos revenus."),
        validators=optional(1000, _l("Votre message doit faire moins de 1 000 caractères")),
    )
    consent = BooleanField(
        _l(
            "J’accepte que ma collectivité utilise ces coordonnées "
            "pour me recontacter au sujet de ce logement"
        ),
        validators=[InputRequired(_l("Cochez la case pour être recontacté"))],
    )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not (self.phone.data or "").strip() and not (self.email.data or "").strip():
            self.phone.errors = [
                *self.phone.errors,
                _l("Indiquez un numéro de téléphone ou une adresse e-mail"),
            ]
            return False
        return valid

    def details(self) -> dict:
        return {
            "phone": phone.compact if (phone := parse_phone(self.phone.data)) else None,
            "email": (self.email.data or "").strip().lower() or None,
            "moments": sorted(self.moments.data or []),
            "note": (self.note.data or "").strip(),
        }


class FeedbackForm(PortalForm):
    """ "Ce service vous a-t-il été utile ?", in the spirit of the State's "Je donne mon avis"."""

    useful = RadioField(
        _l("Ce service vous a-t-il été utile ?"),
        choices=[SelectChoice("yes", _l("Oui")), SelectChoice("no", _l("Non"))],
        validators=[InputRequired(_l("Choisissez oui ou non"))],
    )
    comment = TextAreaField(
        _l("Un commentaire ? (facultatif)"),
        validators=optional(1000, _l("Votre commentaire doit faire moins de 1 000 caractères")),
    )
