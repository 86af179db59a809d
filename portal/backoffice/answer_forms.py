"""The forms of an answer's page (status, précisions, note, one-click actions)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from wtforms import HiddenField
from wtforms.validators import DataRequired, InputRequired, Optional, ValidationError

from portal.backoffice.followup import NOTE_KINDS, NOTE_MAX_LENGTH
from portal.forms import MultiCheckboxField, PortalForm, SelectChoice, SelectField, TextAreaField
from portal.forms.fields import choice_options
from portal.models.zlv import OCCUPANCIES, PRECISIONS, STATUSES

# ZLV's category titles (its UI's), shown before each label.
CATEGORY_TITLES = {
    "dispositifs-incitatifs": "Dispositif incitatif",
    "dispositifs-coercitifs": "Dispositif coercitif",
    "hors-dispositif-public": "Hors dispositif public",
    "blocage-involontaire": "Blocage involontaire",
    "blocage-volontaire": "Blocage volontaire",
    "immeuble-environnement": "Immeuble / Environnement",
    "tiers-en-cause": "Tiers en cause",
    "travaux": "Évolution : travaux",
    "occupation": "Évolution : occupation",
    "mutation": "Évolution : mutation",
}


# ZLV's three families of précisions (its filters' titles), in its order.
FAMILY_TITLES = {
    "dispositifs": _l("Dispositifs"),
    "points-de-blocage": _l("Points de blocage"),
    "evolutions": _l("Évolutions du logement"),
}


def precision_value(category: str, label: str) -> str:
    return f"{category}|{label}"


class FollowupForm(PortalForm):
    """A form filled against the answer's follow-up as it was (see `followup_version`)."""

    version = HiddenField()

    def is_stale(self, current: str) -> bool:
        """Whether the answer changed since the form was shown; if so the form is set to
        the current version, so that sending it again (once checked) saves it."""
        stale = self.version.data != current
        self.version.data = current
        return stale


class StatusForm(FollowupForm):
    """Status and sub-status as one choice among ZLV's allowed pairs, and the occupancy."""

    status = SelectField(
        _l("Statut de suivi › sous-statut"),
        validators=[InputRequired(message=_l("Choisissez un statut de suivi"))],
        choices=[
            SelectChoice(f"{status}|{sub or ''}", f"{label} › {sub}" if sub else label)
            for status, (label, subs) in STATUSES.items()
            for sub in (None, *subs)
        ],
    )
    occupancy = SelectField(
        _l("Occupation actuelle"),
        validators=[Optional()],
        placeholder=_l("Inchangée"),
        choices=[SelectChoice(code, label) for code, label in OCCUPANCIES.items()],
    )

    def pair(self) -> tuple[str, str | None]:
        status, _, sub = self.status.data.partition("|")
        return status, sub or None


class PrecisionsForm(FollowupForm):
    precisions = MultiCheckboxField(
        _l("Précisions"),
        validators=[Optional()],
        choices=[
            SelectChoice(precision_value(category, label), f"{CATEGORY_TITLES[category]} › {label}")
            for category, (_family, labels) in PRECISIONS.items()
            for label in labels
        ],
    )

    def chosen(self) -> set[tuple[str, str]]:
        return {tuple(value.split("|", 1)) for value in self.precisions.data or []}

    def folds(self) -> dict:
        """The checkboxes for dsfr/checkbox_folds.html: one fold per ZLV family (its title
        followed by how many are ticked), one group per category (its title as legend, the
        bare labels as options), with the same names, values and ids as the field renders
        on its own. The folds are closed, unless the field has an error."""
        field = self.precisions
        options = iter(choice_options(field, field.id))
        folds = {family: {"title": title, "groups": [], "checked": 0}
                 for family, title in FAMILY_TITLES.items()}  # fmt: skip
        for category, (family, labels) in PRECISIONS.items():
            members = [{**next(options), "label": label} for label in labels]
            checked = sum(option["checked"] for option in members)
            folds[family]["groups"].append({"id": f"{field.id}-{category}",
                                            "legend": CATEGORY_TITLES[category],
                                            "options": members})  # fmt: skip
            folds[family]["checked"] += checked
        for fold in folds.values():
            fold["open"] = bool(field.errors)
            fold["count"] = (
                ngettext("%(num)d cochée", "%(num)d cochées", fold["checked"])
                if fold["checked"]
                else None
            )
        return {
            "id": field.id,
            "name": field.name,
            "label": str(field.label.text),
            "errors": [str(error) for error in field.errors],
            "folds": list(folds.values()),
        }


class NoteForm(PortalForm):
    kind = SelectField(_l("Type de note"), validators=[Optional()], placeholder=False,
                       choices=[SelectChoice(kind, kind) for kind in NOTE_KINDS])  # fmt: skip
    content = TextAreaField(
        _l("Note"),
        validators=[DataRequired(message=_l("Écrivez la note"))],
        description=_l("N’y écrivez pas de données sensibles (santé, situation financière, "
                       "opinions) : seulement ce qui sert au suivi du logement."),
    )  # fmt: skip

    def validate_content(self, field) -> None:
        if field.data and len(field.data) > NOTE_MAX_LENGTH:
            raise ValidationError(
                _l("La note est trop longue : %(max)d caractères au plus", max=NOTE_MAX_LENGTH)
            )


class ActionForm(PortalForm):
    """A one-click action (call-back done): only the CSRF token."""


class ConfirmForm(FollowupForm):
    """Confirming the suggestion: what it confirms depends on the answers shown."""
