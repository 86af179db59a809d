"""The forms of the collectivité's settings (admins only): identity, contact points, letter
signatories, e-mails to agents, logo, partners, local aids."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import FieldList, Form, FormField
from wtforms.utils import unset_value
from wtforms.validators import (
    URL,
    DataRequired,
    Email,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from portal.forms import PortalForm, optional
from portal.forms.fields import (
    BooleanField,
    EmailField,
    FileField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
)
from portal.phones import ValidPhone, parse_phone
from portal.public_stats import named_in_stats

CONTACT_POINTS = 3
SIGNATORIES = 2
EMAIL_MESSAGE = _l("Saisissez une adresse e-mail valide, par exemple habitat@mairie.fr")
PHONE_MESSAGE = _l("Saisissez un numéro de téléphone français, par exemple 01 23 45 67 89")


check_phone = ValidPhone(PHONE_MESSAGE, french_only=True)


def french_phone(typed: str | None) -> str:
    """A checked French number written the French way ("01 23 45 67 89"), or "" if none."""
    number = parse_phone(typed)
    return (number.national or "") if number else ""


def email_field(label) -> EmailField:
    return EmailField(
        label,
        validators=optional(
            254, _l("Cette adresse e-mail est trop longue"), Email(message=EMAIL_MESSAGE)
        ),
    )


def text(label, limit: int, required=None, row_check: bool = False, **kwargs) -> StringField:
    """A line of text; `required`: the message when empty. `row_check`: the row's own
    validate_<name> decides (Optional would stop the checks on an empty field)."""
    too_long = Length(max=limit, message=_l("Écrivez au plus %(limit)d caractères", limit=limit))
    if row_check:
        return StringField(label, validators=[too_long], **kwargs)
    first = DataRequired(required) if required else Optional()
    return StringField(label, validators=[first, too_long], **kwargs)


def filled(form: Form) -> bool:
    return any((field.data or "").strip() for field in form if isinstance(field.data, str))


class Rows(FieldList):
    """A fixed number of rows, each read from the post by its own index: a row missing from
    the post is empty (WTForms' FieldList renumbers the rows it finds and fills the gap with
    a copy of another, or with the stored row)."""

    def __init__(self, form_class, rows: int, **kwargs):
        super().__init__(FormField(form_class), min_entries=rows, max_entries=rows, **kwargs)

    def process(self, formdata, data=unset_value, extra_filters=None):
        # A post gives every row: the stored rows must not fill what it left empty.
        super().process(formdata, unset_value if formdata else data, extra_filters)

    def _extract_indices(self, prefix, formdata):
        return range(self.max_entries)


class ContactPointForm(Form):
    """One way to reach the collectivité, shown to owners (landing page, aids' contacts)."""

    label = text(
        _l("Intitulé"), 120, row_check=True, description=_l("Par exemple : Service habitat")
    )
    phone = TelField(_l("Téléphone"), validators=[Optional(), check_phone])
    email = email_field(_l("Adresse e-mail"))
    address = text(_l("Adresse"), 300)
    hours = text(
        _l("Horaires"), 200, description=_l("Par exemple : du lundi au vendredi, de 9 h à 12 h")
    )

    def validate_label(self, field) -> None:
        if filled(self) and not (field.data or "").strip():
            raise ValidationError(_l("Indiquez l’intitulé de ce point de contact"))

    def value(self) -> dict | None:
        if not filled(self):
            return None
        return {
            "label": self.label.data.strip(),
            "phone": french_phone(self.phone.data),
            "email": (self.email.data or "").strip().lower(),
            "address": (self.address.data or "").strip(),
            "hours": (self.hours.data or "").strip(),
        }


class SignatoryForm(Form):
    """Who signs the letters: a name and a role ("Le maire", "L’adjointe au logement")."""

    name = text(_l("Nom"), 120, row_check=True)
    role = text(
        _l("Fonction"), 120, row_check=True, description=_l("Par exemple : Maire de Démoville")
    )

    def validate_name(self, field) -> None:
        if filled(self) and not (field.data or "").strip():
            raise ValidationError(_l("Indiquez le nom du signataire"))

    def validate_role(self, field) -> None:
        if filled(self) and not (field.data or "").strip():
            raise ValidationError(_l("Indiquez la fonction du signataire"))

    def value(self) -> dict | None:
        if not filled(self):
            return None
        return {"name": self.name.data.strip(), "role": self.role.data.strip()}


class GeneralSettingsForm(PortalForm):
    name = text(
        _l("Nom de la collectivité"),
        200,
        _l("Indiquez le nom de la collectivité"),
        description=_l("Tel qu’il apparaît aux propriétaires, par exemple : Ville de Démoville"),
    )
    short_name = text(
        _l("Nom court (facultatif)"),
        80,
        description=_l("Pour l’objet des e-mails, par exemple : Démoville"),
    )
    contact_points = Rows(ContactPointForm, CONTACT_POINTS)
    signatories = Rows(SignatoryForm, SIGNATORIES)
    digest_frequency = RadioField(
        _l("Résumé des nouvelles réponses envoyé aux agents"),
        choices=[
            SelectChoice("daily", _l("Chaque jour")),
            SelectChoice("weekly", _l("Chaque semaine")),
            SelectChoice("never", _l("Jamais")),
        ],
        validators=[InputRequired(_l("Choisissez la fréquence du résumé"))],
    )
    notify_callbacks = BooleanField(
        _l("Envoyer aussi un e-mail aux agents à chaque demande de rappel"),
        description=_l("Sans le nom ni les coordonnées du propriétaire : un lien vers sa demande."),
    )
    stats_anonymous = BooleanField(
        _l("Ne pas nommer notre collectivité sur la page publique de statistiques"),
        description=_l("Vos chiffres restent comptés dans les totaux, avec ceux des autres "
                       "collectivités qui ont fait ce choix, sous « Autres collectivités »."),
    )  # fmt: skip

    def values(self) -> dict:
        return {
            "name": self.name.data.strip(),
            "short_name": (self.short_name.data or "").strip() or None,
            "contact_points": [v for e in self.contact_points if (v := e.form.value())],
            "signatories": [v for e in self.signatories if (v := e.form.value())],
            "digest_frequency": self.digest_frequency.data,
            "notify_callbacks": bool(self.notify_callbacks.data),
            "stats_named": not self.stats_anonymous.data,
        }


def general_data(collectivite) -> dict:
    """The form's initial data from the collectivité (empty rows up to the form's size)."""
    points = list(collectivite.contact_points or [])[:CONTACT_POINTS]
    signatories = list((collectivite.settings or {}).get("signatories") or [])[:SIGNATORIES]
    return {
        "name": collectivite.name,
        "short_name": collectivite.short_name or "",
        "contact_points": points + [{}] * (CONTACT_POINTS - len(points)),
        "signatories": signatories + [{}] * (SIGNATORIES - len(signatories)),
        "digest_frequency": collectivite.digest_frequency,
        "notify_callbacks": collectivite.notify_callbacks,
        "stats_anonymous": not named_in_stats(collectivite.settings),
    }


class LogoForm(PortalForm):
    logo = FileField(
        _l("Logo de la collectivité"),
        description=_l(
            "Image PNG ou JPEG, 500 ko au plus. Elle est redessinée à 800 pixels "
            "au plus, sans ses métadonnées."
        ),
    )

    def validate_logo(self, field) -> None:
        if not field.data:
            raise ValidationError(_l("Choisissez un fichier PNG ou JPEG"))


LOGO_ERRORS = {
    "too-large": _l("Le fichier pèse plus de 500 ko : réduisez l’image ou choisissez-en une autre"),
    "not-png-or-jpeg": _l(
        "Choisissez une image PNG ou JPEG (les fichiers SVG, PDF ou autres ne sont pas acceptés)"
    ),
    "unreadable": _l(
        "Cette image ne peut pas être lue : enregistrez-la à nouveau en PNG ou en JPEG"
    ),
}


class PartnerForm(PortalForm):
    """A partner shown to owners among the contacts of their aids."""

    name = text(_l("Nom du partenaire"), 120, _l("Indiquez le nom du partenaire"))
    stands_for = SelectField(
        _l("Rôle auprès des propriétaires (facultatif)"),
        description=_l(
            "Le partenaire remplace alors ce contact dans les aides nationales qui le citent."
        ),
        validators=[Optional()],
        placeholder=_l("Aucun rôle particulier"),
    )
    phone = TelField(_l("Téléphone (facultatif)"), validators=[Optional(), check_phone])
    email = email_field(_l("Adresse e-mail (facultatif)"))
    url = StringField(
        _l("Site internet (facultatif)"),
        validators=optional(
            300,
            _l("Écrivez au plus %(limit)d caractères", limit=300),
            URL(message=_l("Saisissez une adresse commençant par https://")),
        ),
        render_kw={"type": "url", "spellcheck": "false", "autocapitalize": "off"},
    )
    description = TextAreaField(
        _l("Ce qu’il fait pour les propriétaires (facultatif)"),
        validators=optional(600, _l("Écrivez au plus %(limit)d caractères", limit=600)),
    )

    def validate_url(self, field) -> None:
        if field.data and not field.data.strip().lower().startswith(("https://", "http://")):
            raise ValidationError(_l("Saisissez une adresse commençant par https://"))

    def value(self) -> dict:
        return {
            "name": self.name.data.strip(),
            "stands_for": self.stands_for.data or None,
            "phone": french_phone(self.phone.data),
            "email": (self.email.data or "").strip().lower(),
            "url": (self.url.data or "").strip(),
            "description": (self.description.data or "").strip(),
        }


class LocalAidForm(PortalForm):
    """An aid of the collectivité's own, shown to its owners as "to check"."""

    title = text(_l("Nom de l’aide"), 150, _l("Indiquez le nom de l’aide"))
    description = TextAreaField(
        _l("Description"),
        validators=[
            DataRequired(_l("Décrivez l’aide en quelques phrases")),
            Length(max=1000, message=_l("Écrivez au plus %(limit)d caractères", limit=1000)),
        ],
        description=_l("Pour qui, à quelles conditions, ce qu’elle apporte."),
    )
    amount = text(
        _l("Montant (facultatif)"),
        150,
        description=_l("En toutes lettres, par exemple : jusqu’à 2 000 € par logement"),
    )
    contact = SelectField(
        _l("À qui s’adresser (facultatif)"),
        validators=[Optional()],
        placeholder=_l("Personne en particulier"),
    )

    def value(self) -> dict:
        return {
            "title": self.title.data.strip(),
            "description": self.description.data.strip(),
            "amount": (self.amount.data or "").strip(),
            "contact": self.contact.data or "",
        }


class RemoveForm(PortalForm):
    """Only the CSRF token: removing is a POST."""
