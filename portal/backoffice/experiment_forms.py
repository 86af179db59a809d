"""Forms of the experiments registry: the draft, the power calculator; and the registry's
problems in words."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from portal.experiments.metrics import METRICS, PRIMARY_METRICS
from portal.forms import PortalForm, SelectChoice
from portal.forms.fields import (
    DateField,
    DecimalField,
    IntegerField,
    MultiCheckboxField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)

ARM_ROWS = 4  # arms a draft can have; empty rows are ignored

PROBLEMS = {
    "title-missing": _l("Donnez un titre à l’expérience"),
    "hypothesis-missing": _l("Écrivez l’hypothèse que l’expérience teste"),
    "kind-unknown": _l("Choisissez ce qui varie : le courrier ou une page"),
    "page-missing": _l("Choisissez la page dont les textes varient"),
    "arms-too-few": _l("Il faut au moins deux bras : le témoin et une variante"),
    "arms-duplicate": _l("Chaque bras doit utiliser une formulation différente"),
    "arms-unknown": _l("Formulation inconnue pour ce type d’expérience : %(variants)s"),
    "arms-weights": _l("Les poids doivent être des nombres entiers positifs, par exemple 1 et 1"),
    "primary-missing": _l("Choisissez la mesure principale"),
    "secondary-invalid": _l("Les mesures secondaires ne peuvent pas reprendre la mesure "
                            "principale"),
    "guardrail-invalid": _l("Mesure de garde inconnue"),
    "alpha-range": _l("Le seuil alpha doit être compris entre 0 et 0,2, par exemple 0,05"),
    "power-range": _l("La puissance doit être comprise entre 0,5 et 0,99, par exemple 0,8"),
    "sample-too-small": _l("Prévoyez au moins %(minimum)s courriers"),
    "analysis-date-past": _l("La date d’analyse doit être postérieure à aujourd’hui"),
    "campaigns-missing": _l("Choisissez au moins une campagne"),
    "campaigns-taken": _l("Ces campagnes sont déjà dans une expérience en cours : %(campaigns)s"),
    "frozen": _l("Une expérience lancée ne se modifie pas : copiez-la pour en créer une "
                 "nouvelle"),
    "not-running": _l("Seule une expérience en cours peut être arrêtée"),
}  # fmt: skip


RATE_RANGE = _l("Le taux attendu est un pourcentage entre 0 et 100, par exemple 5")
BASE_RANGE = _l("Le taux attendu doit être compris entre 0,01 et 99,99, par exemple 5")
EFFECT_RANGE = _l("L’effet s’écrit en points de pourcentage, entre 0,01 et 99,99, par exemple 2")
SAMPLE_RANGE = _l("Indiquez un nombre entier de courriers, par exemple 400")


# The analysis's notes (portal.experiments.analysis.PROBLEMS), by code, for the pages.
ANALYSIS_NOTES = {
    "no-units": _l("Aucun courrier n’est encore affecté à cette expérience."),
    "one-arm": _l("Un seul bras : rien à comparer."),
    "srm-unplanned": _l("Des courriers sont dans un bras sans poids prévu : pas de contrôle "
                        "de répartition."),
    "empty-arm": _l("Un bras n’a encore aucun courrier : pas encore assez de données."),
    "no-control": _l("Le bras témoin n’a encore aucun courrier : pas encore assez de données."),
    "srm-too-few": _l("Moins de 8 courriers dans un bras : le contrôle de répartition attendra."),
    "one-stratum": _l("Une seule strate utilisable : l’estimation stratifiée est la différence "
                      "simple."),
    "no-stratum": _l("Aucune strate ne compte les deux bras : pas d’estimation stratifiée."),
}  # fmt: skip


def problem_text(problem) -> str:
    return str(PROBLEMS[problem.code]) % problem.params if problem.params else \
        str(PROBLEMS[problem.code])  # fmt: skip


def metric_choices(names) -> list[SelectChoice]:
    return [SelectChoice(name, METRICS[name]) for name in names]


class ExperimentForm(PortalForm):
    title = StringField(_l("Titre"), validators=[InputRequired(_l("Donnez un titre à "
                                                                  "l’expérience")),
                                                 Length(max=200)])  # fmt: skip
    hypothesis = TextAreaField(
        _l("Hypothèse"), validators=[Optional(), Length(max=4000)],
        description=_l("Ce que vous pensez observer, et pourquoi. Par exemple : un courrier "
                       "plus court fera scanner le QR code à plus de propriétaires."),
    )  # fmt: skip
    kind = RadioField(_l("Ce qui varie"), choices=[
        SelectChoice("letter", _l("Le courrier (affecté à l’impression, avant l’envoi)")),
        SelectChoice("page", _l("Une page du portail (affectée à la première visite)")),
    ], default="letter", validators=[InputRequired(_l("Choisissez ce qui varie"))])  # fmt: skip
    page = SelectField(_l("Page (expériences de page seulement)"), choices=[
        SelectChoice("landing", _l("La page d’accueil du propriétaire")),
        SelectChoice("results", _l("La page des résultats")),
    ], validators=[Optional()],
       placeholder=_l("Aucune : l’expérience porte sur le courrier"))  # fmt: skip
    primary_metric = RadioField(_l("Mesure principale"), choices=metric_choices(PRIMARY_METRICS),
                                validators=[Optional()])  # fmt: skip
    secondary_metrics = MultiCheckboxField(_l("Mesures secondaires"),
                                           choices=metric_choices(METRICS),
                                           validators=[Optional()])  # fmt: skip
    guardrail_metrics = MultiCheckboxField(
        _l("Mesures de garde"), choices=metric_choices(METRICS), validators=[Optional()],
        description=_l("Ce qui ne doit pas se dégrader, par exemple les demandes « ne plus me "
                       "contacter ». Montrées à part, hors de la correction de Holm."),
    )  # fmt: skip
    alpha = DecimalField(
        _l("Seuil alpha (bilatéral)"), default=0.05,
        validators=[Optional(), NumberRange(0, 0.2, PROBLEMS["alpha-range"])],
    )  # fmt: skip
    power = DecimalField(
        _l("Puissance visée"), default=0.8,
        validators=[Optional(), NumberRange(0.5, 0.99, PROBLEMS["power-range"])],
    )  # fmt: skip
    baseline_rate = DecimalField(
        _l("Taux attendu dans le bras témoin (en %)"),
        validators=[Optional(), NumberRange(0, 100, RATE_RANGE)],
        description=_l("Par exemple 5 si vous attendez que 5 courriers sur 100 soient ouverts. "
                       "Sert au calcul de puissance."),
    )  # fmt: skip
    planned_sample = IntegerField(
        _l("Nombre de courriers prévus (tous bras)"),
        validators=[Optional(), NumberRange(0, 10_000_000, SAMPLE_RANGE)],
        invalid_value_message=SAMPLE_RANGE,
    )  # fmt: skip
    analysis_date = DateField(
        _l("Date d’analyse"), validators=[Optional()],
        description=_l("Les résultats restent masqués jusqu’à cette date ; laissez le temps aux "
                       "propriétaires de répondre (par exemple 60 jours après l’envoi)."),
    )  # fmt: skip
    campaigns = MultiCheckboxField(_l("Campagnes"), choices=[], coerce=int,
                                   validators=[Optional()])  # fmt: skip


def arm_fields(form_class, variant_choices) -> type:
    """The form with ARM_ROWS rows of (variant, weight), the first one the control."""

    class WithArms(form_class):
        pass

    for row in range(1, ARM_ROWS + 1):
        label = _l("Bras témoin : formulation") if row == 1 else _l("Bras %(n)s : formulation",
                                                                    n=row)  # fmt: skip
        setattr(WithArms, f"arm_{row}", SelectField(label, choices=variant_choices,
                                                    validators=[Optional()]))  # fmt: skip
        setattr(WithArms, f"weight_{row}", IntegerField(
            _l("Poids du bras %(n)s", n=row), invalid_value_message=PROBLEMS["arms-weights"],
            validators=[Optional(), NumberRange(1, 1000, PROBLEMS["arms-weights"])],
            description=_l("Relatif : 1 et 1 donnent deux moitiés, 2 et 1 deux tiers et un "
                           "tiers."),
        ))  # fmt: skip
    return WithArms


class PowerForm(PortalForm):
    """The calculator: the draft's values to start with, any others to try (GET, no save)."""

    class Meta:
        csrf = False  # a calculator read by GET: it changes nothing

    base = DecimalField(_l("Taux attendu dans le bras témoin (en %)"),
                        validators=[InputRequired(_l("Indiquez le taux attendu")),
                                    NumberRange(0.01, 99.99, BASE_RANGE)])  # fmt: skip
    effet = DecimalField(_l("Effet à détecter (en points de pourcentage)"),
                         validators=[InputRequired(_l("Indiquez l’effet à détecter")),
                                     NumberRange(0.01, 99.99, EFFECT_RANGE)])  # fmt: skip
    alpha = DecimalField(_l("Seuil alpha (bilatéral)"), validators=[
        InputRequired(PROBLEMS["alpha-range"]), NumberRange(0.0001, 0.2, PROBLEMS["alpha-range"]),
    ])  # fmt: skip
    puissance = DecimalField(_l("Puissance visée"), validators=[
        InputRequired(PROBLEMS["power-range"]), NumberRange(0.5, 0.99, PROBLEMS["power-range"]),
    ])  # fmt: skip
