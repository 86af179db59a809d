from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms.validators import InputRequired, Length, ValidationError

from portal.forms import PortalForm
from portal.forms.fields import StringField
from portal.letters.codes import CodeError, normalise_code

LENGTH_MESSAGE = _l("Le code comporte 13 lettres et chiffres : vérifiez votre saisie")


class CodeForm(PortalForm):
    code = StringField(
        _l("Code personnel"),
        description=_l("Il figure sur votre courrier, sous le QR code. Exemple : 7KQ2-M9XD-4HTA-R"),
        validators=[
            InputRequired(_l("Saisissez le code indiqué sur votre courrier")),
            Length(max=40, message=LENGTH_MESSAGE),
        ],
    )

    not_found_message = _l(
        "Ce code ne correspond à aucun courrier en cours : vérifiez-le, ou appelez votre mairie"
    )

    def validate_code(self, field) -> None:
        try:
            field.canonical = normalise_code(field.data)
        except CodeError as error:
            if str(error) == "check":
                message = _l("Code mal saisi : vérifiez chaque caractère et réessayez")
            else:
                message = LENGTH_MESSAGE
            raise ValidationError(message) from None
