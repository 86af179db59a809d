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

from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms.validators import Length, Optional
from wtforms.widgets import HiddenInput

from portal.forms import fields
from portal.forms.fields import *  # noqa: F403  (the names of fields.__all__, re-exported)


class PortalForm(FlaskForm):
    """Base form: CSRF-protected (Flask-WTF), fields rendered as DSFR components."""

    def hidden_tag(self, *fields) -> Markup:
        """The hidden inputs (the CSRF token among them), without `id` attributes.

        Flask-WTF's version writes `id="csrf_token"`: two forms on one page would repeat it.
        """
        chosen = [getattr(self, f, None) if isinstance(f, str) else f for f in fields or self]
        hidden = [f for f in chosen if f is not None and isinstance(f.widget, HiddenInput)]
        return Markup("\n").join(f(id=False) for f in hidden)


def optional(limit: int, too_long, *checks) -> list:
    """The validators of an answer that may be left empty: when given, at most `limit`
    characters (`too_long`: the message otherwise), then `checks`."""
    return [Optional(), Length(max=limit, message=too_long), *checks]


__all__ = ["PortalForm", "optional"]
__all__ += fields.__all__
