"""The forms of the "Logements" page and of "Créer une campagne".

- `HousingFilterForm`: the list's filters, from the URL (GET: it changes nothing, so no CSRF
  token). A field with a bad value is shown in error and left out of the filter.
- `HousingSelectionForm`: the ticked housings (`logement` checkboxes of the list's table),
  posted with the CSRF token to the creation page.
- `CampaignForm`: Nom, Description, Date d'envoi (ZLV's fields), with the ticked ids
  (`CheckedCampaignForm`) or for every housing of the filter in the URL.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from portal import clock
from portal.backoffice.bulk_forms import TickedIdsField
from portal.backoffice.housings import HousingFilter
from portal.campaigns.build import TITLE_MAX
from portal.forms import (
    DateField,
    MultiCheckboxField,
    PortalForm,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    optional,
)
from portal.models.zlv import ENERGY_LABELS, STATUSES

MAX_TICKED = 5_000  # ticked housings carried to the creation page
DESCRIPTION_MAX = 2_000
# Vacancy bands as ZLV shows them: id → (label, shortest, longest duration in years), the
# duration being this year minus the vacancy start year.
VACANCY_BANDS = {
    "moins-de-2-ans": (_l("Moins de 2 ans"), 0, 1),
    "2-ans": (_l("2 ans"), 2, 2),
    "3-a-4-ans": (_l("3 à 4 ans"), 3, 4),
    "5-a-9-ans": (_l("5 à 9 ans"), 5, 9),
    "10-ans-et-plus": (_l("10 ans et plus"), 10, None),
}
KINDS = {"APPART": _l("Appartement"), "MAISON": _l("Maison")}
FILTER_FIELDS = ("commune", "vacance", "type", "dpe", "statut", "campagne")


def band_years(band: str, this_year: int) -> tuple[int | None, int | None]:
    """The vacancy start years of a band, as (first, last); None is open."""
    _label, shortest, longest = VACANCY_BANDS[band]
    return (None if longest is None else this_year - longest), this_year - shortest


class HousingFilterForm(PortalForm):
    class Meta:
        csrf = False

    commune = SelectField(_l("Commune"), validators=[Optional()], placeholder=_l("Toutes"))
    campagne = SelectField(
        _l("Campagnes"),
        validators=[Optional()],
        placeholder=_l("Indifférent"),
        choices=[SelectChoice("oui", _l("Dans au moins une campagne")),
                 SelectChoice("non", _l("Dans aucune campagne"))],
    )  # fmt: skip
    # No Optional() on the checkboxes: it would clear the error of a bad value sent first.
    vacance = MultiCheckboxField(
        _l("Durée de vacance"),
        description=_l("Comptée depuis l’année de début de vacance"),
        choices=[SelectChoice(band, words[0]) for band, words in VACANCY_BANDS.items()],
    )
    type = MultiCheckboxField(
        _l("Type de logement"),
        choices=[SelectChoice(kind, label) for kind, label in KINDS.items()],
    )
    dpe = MultiCheckboxField(
        _l("Étiquette DPE représentatif"),
        choices=[SelectChoice(label, label) for label in ENERGY_LABELS],
    )
    statut = MultiCheckboxField(
        _l("Statut de suivi"),
        choices=[SelectChoice(status, label) for status, (label, _subs) in STATUSES.items()],
    )

    def fill_communes(self, codes: list[str], names: dict[str, str]) -> None:
        """The collectivité's communes, by name when the reference knows it."""
        self.commune.choices = [
            SelectChoice(code, f"{names[code]} ({code})" if code in names else code)
            for code in codes
        ]

    def _valid(self, name: str):
        field = self[name]
        return None if field.errors else field.data or None

    def housing_filter(self, this_year: int) -> HousingFilter:
        """The filter asked for; call after `validate()` (fields in error are left out)."""
        campaign = self._valid("campagne")
        return HousingFilter(
            insee_code=self._valid("commune"),
            vacancy_years=tuple(band_years(b, this_year) for b in self._valid("vacance") or ()),
            kinds=tuple(self._valid("type") or ()),
            energy_labels=tuple(self._valid("dpe") or ()),
            statuses=tuple(self._valid("statut") or ()),
            in_campaign=None if campaign is None else campaign == "oui",
        )

    def query_args(self) -> dict[str, str | list[str]]:
        """The valid filter as URL parameters (pages, the creation page, hidden fields)."""
        return {name: self[name].data for name in FILTER_FIELDS if self._valid(name)}


class HousingSelectionForm(PortalForm):
    """The ticked housings of the list."""

    logement = TickedIdsField(limit=MAX_TICKED, messages={
        "invalid": _l("La sélection n’est pas valide : rechargez la page et cochez à nouveau"),
        "empty": _l("Cochez au moins un logement, ou choisissez tous les logements filtrés"),
        "too_many": _l("Cochez au plus 5 000 logements, ou choisissez tous les logements "
                       "filtrés"),  # MAX_TICKED
    })  # fmt: skip


def send_date_in_range(form, field) -> None:
    """A send date between 2000 and two years from now (a typing slip otherwise)."""
    latest = clock.local_date() + timedelta(days=730)
    if field.data and not date(2000, 1, 1) <= field.data <= latest:
        raise ValidationError(
            _l("Saisissez une date d’envoi entre le 01/01/2000 et le %(latest)s",
               latest=latest.strftime("%d/%m/%Y"))
        )  # fmt: skip


class CampaignForm(PortalForm):
    """The campaign, for every housing of the filter in the URL."""

    titre = StringField(
        _l("Nom de la campagne"),
        validators=[
            DataRequired(message=_l("Indiquez le nom de la campagne")),
            Length(max=TITLE_MAX, message=_l("Indiquez un nom de %(max)d caractères au plus",
                                             max=TITLE_MAX)),
        ],
    )  # fmt: skip
    description = TextAreaField(
        _l("Description (facultatif)"),
        description=_l("Pour vos collègues : le but de la campagne, le public visé."),
        validators=optional(DESCRIPTION_MAX, _l("Écrivez une description de 2 000 caractères "
                                                "au plus")),
    )  # fmt: skip
    date_envoi = DateField(
        _l("Date d’envoi (facultatif)"),
        description=_l("Les logements passent au statut « En attente de retour » à cette date. "
                       "Laissez vide si vous ne la connaissez pas encore."),
        validators=[Optional(), send_date_in_range],
    )  # fmt: skip


class CheckedCampaignForm(HousingSelectionForm, CampaignForm):
    """The campaign, for the ticked housings (carried in hidden fields)."""
