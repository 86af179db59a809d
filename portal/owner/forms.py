from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms.validators import InputRequired, Length, NumberRange, ValidationError

from portal.forms import PortalForm
from portal.forms.fields import (
    IntegerField,
    MultiCheckboxField,
    RadioField,
    SelectChoice,
    StringField,
    TextAreaField,
)
from portal.letters.codes import CodeError, normalise_code
from portal.rules.model import Question

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


class ConfirmForm(PortalForm):
    """Only the CSRF token: a confirmation button."""


def question_form(question: Question, locale: str, answers: dict) -> PortalForm:
    """A one-field form for a diagnostic question, built from its content."""
    messages = question.messages
    required = InputRequired(messages["required"][locale])
    kwargs = {
        "label": question.label[locale],
        "description": question.hint[locale] if question.hint else "",
        "default": answers.get(question.id),
    }
    if question.type in ("radios", "checkboxes"):
        choices = [
            SelectChoice(option.value, option.label[locale], render_kw=_option_attributes(
                option, locale))
            for option in question.options
        ]  # fmt: skip
        field_class = RadioField if question.type == "radios" else MultiCheckboxField
        validators = [required]
        if question.exclusive:
            validators.append(_alone(question.exclusive, messages["exclusive"][locale]))
        field = field_class(choices=choices, validators=validators, **kwargs)
    elif question.type == "number":
        limits = NumberRange(question.minimum, question.maximum,
                             message=_message(messages, "range", locale))  # fmt: skip
        field = IntegerField(validators=[required, limits], **kwargs)
    else:
        length = Length(max=question.max_length, message=_message(messages, "too_long", locale))
        field = TextAreaField(validators=[required, length], **kwargs)

    class QuestionForm(PortalForm):
        answer = field

    return QuestionForm()


def _message(messages: dict, name: str, locale: str) -> str | None:
    return messages[name][locale] if name in messages else None


def _option_attributes(option, locale: str) -> dict | None:
    attributes = {"hint": option.hint[locale]} if option.hint else {}
    if option.exclusive:  # static/js/exclusive-option.js unticks the others, and back
        attributes["data_exclusive"] = "true"
    return attributes or None


def _alone(value: str, message: str):
    """The exclusive option ("Rien de particulier") ticked with another: refused, in words."""

    def alone(_form, field) -> None:
        if value in (field.data or []) and len(field.data) > 1:
            raise ValidationError(message)

    return alone
