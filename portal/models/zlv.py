"""Zéro Logement Vacant's follow-up vocabulary, as identifiers and exact labels.

These labels are data exchanged with ZLV (exports, imports), kept byte-for-byte as ZLV
writes them (`packages/models/src/HousingStatus.ts`, `Occupancy.ts` in the ZLV repository);
see shared/reference/zlv-vocabulary.md. Translations for display go through the catalogs.
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
            "N'habite pas à l'adresse indiquée",
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
    "A": "Autres",
    "inconnu": "Pas d'information",
}
# Read-only codes that only come from the Fichiers Fonciers.
OCCUPANCIES_READ_ONLY: dict[str, str] = {
    "G": "Occupé à titre gratuit",
    "F": "Fonctionnaire logé",
    "R": "Artisan exonéré",
    "U": "Utilisation commune",
    "X": "Bail rural",
}

HOUSING_KINDS = {"APPART": "Appartement", "MAISON": "Maison"}
ENERGY_LABELS = ("A", "B", "C", "D", "E", "F", "G")
CAMPAIGN_STATUSES = {
    "draft": "Envoi en attente",
    "sending": "En cours d'envoi",
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
