"""Forms of the campaign pages: the send date and revoking a letter."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms.validators import InputRequired, Optional

from portal.forms import PortalForm, SelectChoice
from portal.forms.fields import DateField, RadioField


class SendDateForm(PortalForm):
    sent_at = DateField(
        _l("Date d’envoi"), validators=[Optional()],
        description=_l("Le jour où les courriers partent. Les logements passent « En attente "
                       "de retour » à cette date. Laissez vide si elle n’est pas connue."),
    )  # fmt: skip


class RevokeForm(PortalForm):
    reason = RadioField(
        _l("Pourquoi désactiver ce courrier ?"),
        choices=[
            SelectChoice(
                "npai", _l("Le courrier est revenu : « N’habite pas à l’adresse indiquée »")
            ),
            SelectChoice("agent", _l("Une autre raison (courrier perdu, erreur de destinataire…)")),
        ],
        validators=[InputRequired(_l("Choisissez pourquoi vous désactivez ce courrier"))],
    )
