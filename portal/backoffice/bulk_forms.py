"""The forms of the queue's selection: the ticked answers, and what to do with them.

The queue page holds one POST form around its table: a checkbox per answer
(name="reponse") and an action bar whose buttons post it to different addresses
(`formaction`), so it works without JavaScript. Each address validates its own form.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms.fields import Field
from wtforms.validators import InputRequired, StopValidation

from portal.backoffice.answer_forms import CATEGORY_TITLES, StatusForm, precision_value
from portal.backoffice.bulk import MAX_SELECTION
from portal.bounds import parse_id
from portal.forms import PortalForm, SelectChoice, SelectField
from portal.models.zlv import PRECISIONS


class TickedIdsField(Field):
    """The ids of the ticked rows of a table (one checkbox per row, all with this field's
    name), at most `limit`; `messages` says what to do when none is ticked ("empty"), too
    many are ("too_many", with %(max)d) or one is not an id ("invalid").

    Rendered by the table itself, one checkbox per row; the error summary links to it."""

    widget = None
    error_anchor = "selection"

    def __init__(self, label=None, validators=None, *, limit: int, messages: dict, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.limit, self.messages = limit, messages

    def process(self, formdata, data=None, extra_filters=None):
        self.process_errors, self.raw_data, self.data = [], [], []
        if formdata is None:
            return
        self.raw_data = formdata.getlist(self.name)
        ids = []
        for value in self.raw_data:
            number = parse_id(value)
            if number is None:
                self.process_errors.append(self.messages["invalid"])
                return
            ids.append(number)
        self.data = list(dict.fromkeys(ids))

    def pre_validate(self, form) -> None:
        if self.process_errors:
            return
        if not self.data:
            raise StopValidation(self.messages["empty"])
        if len(self.data) > self.limit:
            raise StopValidation(self.messages["too_many"] % {"max": self.limit})


def AnswerIdsField() -> TickedIdsField:
    """The ids of the ticked answers (the `reponse` checkboxes of the queue's table)."""
    return TickedIdsField(limit=MAX_SELECTION, messages={
        "invalid": _l("La sélection n’est pas valide : rechargez la page et cochez à nouveau"),
        "empty": _l("Cochez au moins une réponse"),
        "too_many": _l("Choisissez au plus %(max)d réponses à la fois"),
    })  # fmt: skip


class SelectionForm(PortalForm):
    """The ticked answers (to export them)."""

    reponse = AnswerIdsField()


class BulkStatusForm(SelectionForm, StatusForm):
    """The same follow-up status for every ticked answer."""


class BulkPrecisionForm(SelectionForm):
    """One précision attached to every ticked answer's dwelling."""

    precision = SelectField(
        _l("Précision"),
        validators=[InputRequired(message=_l("Choisissez une précision"))],
        choices=[
            SelectChoice(
                precision_value(category, label), label, optgroup=CATEGORY_TITLES[category]
            )
            for category, (_family, labels) in PRECISIONS.items()
            for label in labels
        ],
    )

    def chosen(self) -> tuple[str, str]:
        category, _, label = self.precision.data.partition("|")
        return category, label
