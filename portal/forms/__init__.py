"""Forms of the portal: `PortalForm` and the DSFR-rendering fields of `portal.forms.fields`.

A page template renders a form as:

    <form method="post" action="{{ url_for('owner.step', …) }}" novalidate>
      {{ form.hidden_tag() }}
      {{ form.phone() }}
      {{ button({"text": _("Continuer")}) }}
    </form>

and the layout (templates/base.html) shows the error summary and the "Erreur : " title
prefix when the `form` (or `forms`) of the page has errors.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import fields as wtforms_fields
from wtforms.validators import Length, Optional, StopValidation
from wtforms.widgets import HiddenInput

from portal.bounds import has_control_characters
from portal.forms import fields
from portal.forms.fields import *  # noqa: F403  (the names of fields.__all__, re-exported)

CONTROL_CHARACTERS_MESSAGE = _l(
    "Ce champ contient des caractères non autorisés (caractères de contrôle) : "
    "retirez-les et réessayez"
)


class PortalForm(FlaskForm):
    """Base form: CSRF-protected (Flask-WTF), fields rendered as DSFR components.

    A field sent with control characters (NUL among them, which PostgreSQL refuses in text;
    tab and line breaks are fine in a text area) is in error before any of its validators
    runs, so none of them queries with it, and its data is emptied.
    """

    def validate(self, extra_validators=None) -> bool:
        for field in _leaf_fields(self):
            if _sent_control_characters(field):
                field.data = None
                field.pre_validate = _refuse_control_characters
        return super().validate(extra_validators)

    def hidden_tag(self, *fields) -> Markup:
        """The hidden inputs (the CSRF token among them), without `id` attributes.

        Flask-WTF's version writes `id="csrf_token"`: two forms on one page would repeat it.
        """
        chosen = [getattr(self, f, None) if isinstance(f, str) else f for f in fields or self]
        hidden = [f for f in chosen if f is not None and isinstance(f.widget, HiddenInput)]
        return Markup("\n").join(f(id=False) for f in hidden)


def _leaf_fields(fields):
    """The fields of a form, those of its `FormField`s and `FieldList`s included."""
    for field in fields:
        if isinstance(field, wtforms_fields.FormField):
            yield from _leaf_fields(field.form)
        elif isinstance(field, wtforms_fields.FieldList):
            yield from _leaf_fields(field.entries)
        else:
            yield field


def _sent_control_characters(field) -> bool:
    multiline = isinstance(field, wtforms_fields.TextAreaField)
    return any(
        isinstance(value, str) and has_control_characters(value, multiline)
        for value in getattr(field, "raw_data", None) or ()
    )


def _refuse_control_characters(form) -> None:
    raise StopValidation(CONTROL_CHARACTERS_MESSAGE)


def optional(limit: int, too_long, *checks) -> list:
    """The validators of an answer that may be left empty: when given, at most `limit`
    characters (`too_long`: the message otherwise), then `checks`."""
    return [Optional(), Length(max=limit, message=too_long), *checks]


__all__ = ["PortalForm", "optional"]
__all__ += fields.__all__
