"""Zéro Logement Vacant's follow-up vocabulary, as identifiers and exact labels.

These labels are data exchanged with ZLV (exports, imports), kept byte-for-byte as ZLV
writes them (`packages/models/src/HousingStatus.ts`, `Occupancy.ts` in ZLV's public
repository, MTES-MCT/zero-logement-vacant). Translations for display go through the catalogs.
"""

from __future__ import annotations

# id → (ZLV label, allowed sub-statuses), in ZLV's order (0–5).
STATUSES: dict[str, tuple[str, tuple[str, ...]]] = {
    "never-contacted": ("Non suivi", ()),
    "waiting": ("En attente de retour", ()),
    "first-contact": (
        "Premier contact",
        (
            "Intérêt potentiel / En réflexion",
            "En pré-accompagnement",
            "N’habite pas à l’adresse indiquée",
        ),
    ),
    "in-progress": (
        "Suivi en cours",
        (
            "En accompagnement",
            "Intervention publique",
            "En sortie sans accompagnement",
            "Mutation en cours ou effectuée",
        ),
    ),
    "completed": (
        "Suivi terminé",
        (
            "Sortie de la vacance",
            "N'était pas vacant",
            "Sortie de la passoire énergétique",
            "N'était pas une passoire énergétique",
            "Autre objectif rempli",
        ),
    ),
    "blocked": (
        "Suivi bloqué",
        (
            "Blocage involontaire du propriétaire",
            "Blocage volontaire du propriétaire",
            "Immeuble / Environnement",
            "Tiers en cause",
        ),
    ),
}

# Occupancy codes an agent (or an owner's answer) may set, with ZLV's labels.
OCCUPANCIES: dict[str, str] = {
    "V": "Vacant",
    "L": "En location",
    "B": "Meublé de tourisme",
    "P": "Occupé par le propriétaire",
    "RS": "Résidence secondaire non louée",
    "N": "Dépendance",
    "T": "Local commercial ou bureau",
    "D": "Local démoli ou divisé",
    "inconnu": "Pas d’information",
    "A": "Autres",
}
# Read-only codes that only come from the Fichiers Fonciers.
OCCUPANCIES_READ_ONLY: dict[str, str] = {
    "G": "Occupé à titre gratuit",
    "F": "Fonctionnaire logé",
    "R": "Occupé par un artisan exonéré",
    "U": "Utilisation commune",
    "X": "Bail rural",
}

HOUSING_KINDS = {"APPART": "Appartement", "MAISON": "Maison"}
ENERGY_LABELS = ("A", "B", "C", "D", "E", "F", "G")
CAMPAIGN_STATUSES = {
    "draft": "Envoi en attente",
    "sending": "En cours d’envoi",
    "in-progress": "Envoyée",
    "archived": "Archivée",
}
OWNER_KINDS = (
    "Particulier",
    "SCI, Copropriété, Autres personnes morales",
    "Promoteur, Investisseur privé",
    "Etat et collectivité territoriale",
    "Bailleur social, Aménageur, Investisseur public",
    "Autres",
)
COLLECTIVITE_KINDS = (
    "COM", "CC", "CA", "CU", "METRO", "EPT", "DEP", "REG", "CTU", "PETR", "SDED", "SDER",
    "SIVOM", "TOM", "COM-TOM", "ARR",
)  # fmt: skip


def is_allowed_status(status: str, sub_status: str | None) -> bool:
    """Whether ZLV accepts this status / sub-status pair (no sub-status is always allowed)."""
    if status not in STATUSES:
        return False
    return sub_status is None or sub_status in STATUSES[status][1]


# "Précisions" (ZLV `server/src/models/PrecisionApi.ts`): category → labels, by family.
# Dispositifs and points de blocage are multiple choice; each évolution is one choice.
PRECISION_FAMILIES = ("dispositifs", "points-de-blocage", "evolutions")
PRECISIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "dispositifs-incitatifs": ("dispositifs", (
        "Conventionnement avec travaux", "Conventionnement sans travaux",
        "Aides locales travaux", "Aides à la gestion locative", "Intermédiation Locative (IML)",
        "Dispositif fiscal", "Prime locale vacance", "Prime vacance France Ruralités",
        "Ma Prime Renov", "Prime Rénovation Globale", "Prime locale rénovation énergétique",
        "Accompagnement à la vente", "Autre",
    )),
    "dispositifs-coercitifs": ("dispositifs", (
        "ORI ou RHI - THIRORI", "Bien sans maître", "Abandon manifeste", "DIA - préemption",
        "Procédure d’habitat indigne (hygiène, insalubrité, péril)", "Permis de louer",
        "Permis de diviser", "Autre",
    )),
    "hors-dispositif-public": ("dispositifs", (
        "Accompagné par un professionnel (architecte, agent immobilier, etc.)",
        "Propriétaire autonome",
    )),
    "blocage-involontaire": ("points-de-blocage", (
        "Mise en location ou vente infructueuse", "Succession en cours",
        "Défaut d’entretien / Nécessité de travaux",
        "Problème de financement / Dossier non-éligible",
        "Manque de conseils en amont de l’achat", "En incapacité (âge, handicap, précarité ...)",
    )),
    "blocage-volontaire": ("points-de-blocage", (
        "Réserve personnelle ou pour une autre personne", "Stratégie de gestion",
        "Mauvaise expérience locative", "Montants des travaux perçus comme trop importants",
        "Refus catégorique, sans raison",
    )),
    "immeuble-environnement": ("points-de-blocage", (
        "Pas d’accès indépendant", "Immeuble dégradé", "Ruine / Immeuble à démolir",
        "Nuisances à proximité", "Risques Naturels / Technologiques",
    )),
    "tiers-en-cause": ("points-de-blocage", (
        "Entreprise(s) en défaut", "Copropriété en désaccord", "Expertise judiciaire",
        "Autorisation d’urbanisme refusée / Blocage ABF", "Interdiction de location",
    )),
    "travaux": ("evolutions", ("À venir", "En cours", "Terminés")),
    "occupation": ("evolutions", ("À venir", "En cours", "Nouvelle occupation")),
    "mutation": ("evolutions", ("À venir", "En cours", "Effectuée")),
}  # fmt: skip


def is_precision(category: str, label: str) -> bool:
    return category in PRECISIONS and label in PRECISIONS[category][1]
