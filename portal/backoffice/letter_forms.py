"""Forms of the letter settings: wording of a variant, sender block, signature image."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms.validators import Email, InputRequired, Length, Optional, Regexp, ValidationError

from portal.forms import PortalForm
from portal.forms.fields import EmailField, FileField, StringField, TelField, TextAreaField


class WordingForm(PortalForm):
    subject = StringField(
        _l("Objet"),
        validators=[InputRequired(_l("Saisissez l’objet du courrier")),
                    Length(max=300, message=_l("L’objet fait 300 caractères au plus"))],
    )  # fmt: skip
    body = TextAreaField(
        _l("Texte du courrier"),
        validators=[InputRequired(_l("Saisissez le texte du courrier")),
                    Length(max=8000, message=_l("Le texte fait 8 000 caractères au plus"))],
        description=_l("Une ligne vide sépare deux paragraphes. Les champs entre doubles "
                       "accolades sont remplacés pour chaque propriétaire."),
    )  # fmt: skip


class NewVariantForm(PortalForm):
    variant = StringField(
        _l("Nom de la nouvelle variante"),
        validators=[InputRequired(_l("Saisissez un nom pour la variante")),
                    Regexp(r"^[a-z0-9][a-z0-9-]{0,39}$",
                           message=_l("Utilisez des lettres minuscules sans accent, des "
                                      "chiffres et des tirets, par exemple relance-2027"))],
        description=_l("Par exemple « courte » ou « relance-2027 ». Les expériences "
                       "comparent des variantes."),
    )  # fmt: skip


def _optional(label, max_length, description=None):
    return StringField(
        label,
        validators=[
            Optional(),
            Length(
                max=max_length,
                message=_l("Ce champ fait %(max)d caractères au plus", max=max_length),
            ),
        ],
        description=description,
    )


class SenderForm(PortalForm):
    service = _optional(_l("Service"), 120, _l("Par exemple « Service habitat »"))
    name = _optional(_l("Nom de la personne à contacter"), 120)
    address = TextAreaField(
        _l("Adresse de l’expéditeur"),
        validators=[Optional(), Length(max=300, message=_l("L’adresse fait 300 caractères au "
                                                            "plus"))],
        description=_l("Une ligne par ligne d’adresse, 4 lignes au plus."),
    )  # fmt: skip
    email = EmailField(_l("Adresse e-mail"), validators=[
        Optional(), Email(message=_l("Saisissez une adresse e-mail valide, par exemple "
                                     "habitat@ville.fr"))])  # fmt: skip
    phone = TelField(_l("Téléphone"), validators=[Optional(), Length(max=40)])
    written_from = _optional(
        _l("Lieu d’écriture"), 80, _l("« À Nevers, le 2 décembre 2026 » : indiquez « Nevers ».")
    )

    def validate_address(self, field) -> None:
        if len(self.address_lines()) > 4:
            raise ValidationError(_l("L’adresse tient en 4 lignes au plus"))

    def address_lines(self) -> list[str]:
        return [line.strip() for line in (self.address.data or "").splitlines() if line.strip()]

    def values(self) -> dict:
        return {"service": self.service.data or "", "name": self.name.data or "",
                "address_lines": self.address_lines(), "email": self.email.data or "",
                "phone": self.phone.data or "",
                "written_from": self.written_from.data or ""}  # fmt: skip


def signature_form(position: int, formdata=...) -> PortalForm:
    """The upload form of signatory 1 or 2: its field is named `signature<position>`, so
    the two forms of the page have distinct ids and each keeps the plain CSRF field."""
    name = f"signature{position}"

    def validate(form, field) -> None:
        if not field.data:
            raise ValidationError(_l("Choisissez un fichier PNG ou JPEG"))

    form_class = type(f"Signature{position}Form", (PortalForm,), {
        name: FileField(_l("Image de la signature %(num)d", num=position),
                        description=_l("Image PNG ou JPEG, 500 ko au plus, sur fond blanc.")),
        f"validate_{name}": validate,
    })  # fmt: skip
    return form_class() if formdata is ... else form_class(formdata=formdata)
