"""WTForms fields that render themselves with the DSFR macros of `templates/dsfr/`.

Each field's widget gathers a params dict (id, name, label, hint, value, errors,
autocomplete…) and calls the macro of `templates/dsfr/<component>.html` with it, so a page
template only writes `{{ form.phone() }}`, or `{{ form.phone(hint=_("…"), autocomplete="tel") }}`.
Modelled on GOV.UK Notify's `govuk_frontend_field.py` and LandRegistry's govuk-frontend-wtf.

Keyword arguments given when rendering (or through `render_kw=` when declaring the field):
`label`, `hint` (the field's `description` by default), `page_heading` (the label or legend
is the page's h1), `autocomplete`, `inputmode`, `spellcheck`, `autocapitalize`, `type`,
`inline` and `rich` (radios and checkboxes), `rows` (textarea), `placeholder` (select: the
empty first option); `class_` adds classes to the control; anything else becomes an HTML
attribute of the control (`maxlength=10`, `data_x="y"` → `data-x="y"`).

The macros are taken from the compiled template (`get_template(...).module`), never through
`render_template_string`: templates are compiled once, not on every request.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import current_app
from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from flask_wtf import file as flask_wtf_file
from markupsafe import Markup
from wtforms import fields as wtforms_fields
from wtforms.fields import SelectChoice
from wtforms.fields.core import Field
from wtforms.validators import StopValidation, ValidationError

# Render-time options that are params of the macros rather than HTML attributes.
OPTIONS = (
    "label",
    "hint",
    "page_heading",
    "autocomplete",
    "inputmode",
    "spellcheck",
    "autocapitalize",
    "type",
    "inline",
    "rich",
    "rows",
    "placeholder",
    "disabled",
)
# Spaces people type inside numbers ("1 200", "1 200" with a no-break space).
NUMBER_SPACES = {ord(" "): None, ord("\u00a0"): None, ord("\u202f"): None}


def render_macro(template: str, macro: str, params: Mapping[str, Any]) -> Markup:
    """Call `macro` of the compiled `template` with `params` and return its HTML."""
    module = current_app.jinja_env.get_template(template).module
    # Templates under templates/ are autoescaped: the macro returns Markup.
    return getattr(module, macro)(params)


def text(value: Any) -> str | Markup | None:
    """A string for a macro: Markup stays Markup, lazy strings become plain (escaped) text."""
    if value is None or isinstance(value, Markup):
        return value
    return str(value)


def error_messages(field: Field) -> list[str | Markup | None]:
    errors = field.errors
    if isinstance(errors, Mapping):  # a FormField: its own fields show their errors
        return []
    return [text(error) for error in errors or ()]


def html_attributes(kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """WTForms-style keyword arguments → HTML attribute names (`data_x` → `data-x`)."""
    attributes = {}
    for key, value in kwargs.items():
        name = key.rstrip("_")
        if name.startswith(("data_", "aria_", "hx_")):
            name = name.replace("_", "-")
        attributes[name] = text(value) if not isinstance(value, bool | int) else value
    return attributes


class DsfrWidget:
    """Renders a field with the macro `component` of `templates/dsfr/<component>.html`."""

    component = ""

    def __call__(self, field: Field, **kwargs: Any) -> Markup:
        template = f"dsfr/{self.component}.html"
        return render_macro(template, self.component, self.params(field, dict(kwargs)))

    def params(self, field: Field, kwargs: dict[str, Any]) -> dict[str, Any]:
        for key, value in getattr(field, "dsfr_defaults", {}).items():
            kwargs.setdefault(key, value)
        field_id = kwargs.pop("id", None) or field.id
        params: dict[str, Any] = {
            "id": field_id,
            "name": field.name,
            "label": text(kwargs.pop("label", None) or field.label.text),
            "hint": text(kwargs.pop("hint", None) or field.description or None),
            "errors": error_messages(field),
            "required": bool(field.flags.required),
        }
        for option in OPTIONS:
            if option in kwargs:
                value = kwargs.pop(option)
                params[option] = text(value) if isinstance(value, str) else value
        params["classes"] = text(kwargs.pop("class_", None) or kwargs.pop("class", None))
        params["attributes"] = html_attributes(kwargs)
        params.update(self.field_params(field, params))
        return params

    def field_params(self, field: Field, params: dict[str, Any]) -> dict[str, Any]:
        return {}


class InputWidget(DsfrWidget):
    component = "input"

    def __init__(self, input_type: str = "text") -> None:
        self.input_type = input_type

    def field_params(self, field, params):
        return {"type": params.get("type") or self.input_type, "value": text(field._value())}


class PasswordWidget(DsfrWidget):
    """A password is never sent back to the browser, even after an error."""

    component = "password"


class TextAreaWidget(DsfrWidget):
    component = "textarea"

    def field_params(self, field, params):
        return {"value": text(field._value())}


def choice_options(field: Field, field_id: str) -> list[dict[str, Any]]:
    """The field's choices for a macro: id, value, label, hint, checked, attributes."""
    options = []
    for index, choice in enumerate(field.iter_choices()):
        render_kw = dict(choice.render_kw or {})
        hint = render_kw.pop("hint", None)
        options.append(
            {
                "id": f"{field_id}-{index}",
                "value": text(choice.value),
                "label": text(choice.label),
                "hint": text(hint),
                "checked": bool(choice.selected),
                "attributes": html_attributes(render_kw),
            }
        )
    return options


class RadiosWidget(DsfrWidget):
    component = "radios"

    def field_params(self, field, params):
        return {"options": choice_options(field, params["id"])}


class CheckboxesWidget(RadiosWidget):
    component = "checkboxes"


class SelectWidget(DsfrWidget):
    component = "select"

    def field_params(self, field, params):
        options = choice_options(field, params["id"])
        groups: list[dict[str, Any]] = []
        if field.has_groups():
            by_value = iter(options)
            for label, choices in field.iter_groups():
                members = [next(by_value) for _ in choices]
                if label is None:
                    groups.extend(members)
                else:
                    groups.append({"group": text(label), "options": members})
        placeholder = params.get("placeholder", getattr(field, "placeholder", None))
        return {
            "options": groups or options,
            "placeholder": text(placeholder) if placeholder else None,
            "selected": any(option["checked"] for option in options),
        }


class UploadWidget(DsfrWidget):
    """A file input; the browser never gets a value back."""

    component = "upload"


class CheckboxWidget(DsfrWidget):
    component = "checkbox"

    def field_params(self, field, params):
        return {"value": "y", "checked": bool(field.data)}


def refuse_unknown_choice(check, field, form) -> None:
    """Run the field's choice `check`; a value not among the choices stops the validation.

    WTForms' `Optional()` takes a value of spaces for "nothing sent" and clears the errors
    found so far: the invalid-choice error would be dropped and the spaces kept as data.
    """
    if field.process_errors:  # not even coercible (`coerce=int` given "abc")
        raise StopValidation()
    try:
        check(form)
    except ValidationError as error:
        raise StopValidation(error.args[0] if error.args else None) from error


class ChoiceMixin:
    """Nothing chosen is the job of the field's required validator, with its own message."""

    def __init__(self, *args, invalid_choice_message=None, **kwargs):
        super().__init__(
            *args,
            invalid_choice_message=invalid_choice_message
            or _l("Choisissez une des réponses proposées"),
            **kwargs,
        )

    def process_formdata(self, valuelist):
        if valuelist and valuelist[0] == "":
            self.data = None
            return
        super().process_formdata(valuelist)

    def pre_validate(self, form):
        if self.data in (None, ""):
            return
        refuse_unknown_choice(super().pre_validate, self, form)

    @property
    def error_anchor(self) -> str:
        """Where the error summary sends the visitor: the first option."""
        return f"{self.id}-0"


# --- Fields -----------------------------------------------------------------------------


class StringField(wtforms_fields.StringField):
    widget = InputWidget()


class EmailField(wtforms_fields.EmailField):
    widget = InputWidget("email")
    dsfr_defaults = {"autocomplete": "email", "spellcheck": "false", "autocapitalize": "off"}


class TelField(wtforms_fields.TelField):
    widget = InputWidget("tel")
    dsfr_defaults = {"autocomplete": "tel"}


class PasswordField(wtforms_fields.PasswordField):
    widget = PasswordWidget()
    dsfr_defaults = {"autocomplete": "current-password"}


class IntegerField(wtforms_fields.IntegerField):
    """A whole number typed in a text input with a numeric keyboard ("1 200" is accepted).

    An empty answer is left to the required validator, so only one message is shown.
    """

    widget = InputWidget("text")
    dsfr_defaults = {"inputmode": "numeric", "spellcheck": "false"}

    def __init__(self, label=None, validators=None, invalid_value_message=None, **kwargs):
        super().__init__(
            label,
            validators,
            invalid_value_message=invalid_value_message
            or _l("Saisissez un nombre entier, sans virgule, par exemple 12"),
            **kwargs,
        )

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        raw = str(valuelist[0]).translate(NUMBER_SPACES)
        if raw == "":
            self.data = None
            return
        try:
            self.data = int(raw)
        except ValueError as exc:
            self.data = None
            raise ValueError(self.invalid_value_message) from exc


class DecimalField(wtforms_fields.DecimalField):
    """A number with decimals, typed the French way ("12,5") or not ("12.5")."""

    widget = InputWidget("text")
    dsfr_defaults = {"inputmode": "decimal", "spellcheck": "false"}

    def __init__(self, label=None, validators=None, invalid_value_message=None, **kwargs):
        super().__init__(
            label,
            validators,
            invalid_value_message=invalid_value_message
            or _l("Saisissez un nombre, par exemple 12,5"),
            **kwargs,
        )

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        # "0,05" in French, "0.05" in English: as the agent would type it
        return format_decimal(self.data, "0.######")  # no grouping: "1,000.5" reads back wrong

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        raw = str(valuelist[0]).translate(NUMBER_SPACES).replace(",", ".")
        if raw == "":
            self.data = None
            return
        try:
            self.data = Decimal(raw)
        except InvalidOperation as exc:
            self.data = None
            raise ValueError(self.invalid_value_message) from exc
        if not self.data.is_finite():
            self.data = None
            raise ValueError(self.invalid_value_message)


class DateField(wtforms_fields.DateField):
    """A date picker (`type="date"` sends 2026-07-14); a browser without one shows a text
    input, where 14/07/2026 is accepted too."""

    widget = InputWidget("date")

    def __init__(self, label=None, validators=None, invalid_value_message=None, **kwargs):
        kwargs.setdefault("format", ["%Y-%m-%d", "%d/%m/%Y"])
        super().__init__(
            label,
            validators,
            invalid_value_message=invalid_value_message
            or _l("Saisissez une date valide, par exemple 14/07/2026"),
            **kwargs,
        )


class TextAreaField(wtforms_fields.TextAreaField):
    widget = TextAreaWidget()


class RadioField(ChoiceMixin, wtforms_fields.RadioField):
    """Radios in a fieldset whose legend is the label. Choices are WTForms `SelectChoice`s
    (tuples are deprecated in WTForms 3.3); one may carry a hint:
    `SelectChoice("oui", _l("Oui"), render_kw={"hint": _l("…")})`."""

    widget = RadiosWidget()


class MultiCheckboxField(ChoiceMixin, wtforms_fields.SelectMultipleField):
    """Several answers, as DSFR checkboxes in a fieldset."""

    widget = CheckboxesWidget()

    def process_formdata(self, valuelist):
        wtforms_fields.SelectMultipleField.process_formdata(self, valuelist)

    def pre_validate(self, form):
        check = wtforms_fields.SelectMultipleField.pre_validate.__get__(self)
        refuse_unknown_choice(check, self, form)


CheckboxesField = MultiCheckboxField


class SelectField(ChoiceMixin, wtforms_fields.SelectField):
    """A drop-down list; `placeholder` is the empty first option (False: none)."""

    widget = SelectWidget()

    def __init__(self, *args, placeholder=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.placeholder = _l("Sélectionnez une option") if placeholder is None else placeholder

    @property
    def error_anchor(self) -> str:
        return self.id


class FileField(flask_wtf_file.FileField):
    """A DSFR upload (`accept="image/png,image/jpeg"` as a render keyword narrows the
    browser's picker; the server checks the file anyway). The form needs
    `enctype="multipart/form-data"`."""

    widget = UploadWidget()


class BooleanField(wtforms_fields.BooleanField):
    """A single DSFR checkbox ("Je souhaite être rappelé")."""

    widget = CheckboxWidget()


__all__ = [
    "BooleanField",
    "CheckboxesField",
    "DateField",
    "DecimalField",
    "EmailField",
    "FileField",
    "IntegerField",
    "MultiCheckboxField",
    "PasswordField",
    "RadioField",
    "SelectChoice",
    "SelectField",
    "StringField",
    "TelField",
    "TextAreaField",
    "render_macro",
]
