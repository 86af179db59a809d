"""What an owner's answer means for the follow-up in Zéro Logement Vacant's vocabulary.

The one documented place where the portal turns an owner's declaration into ZLV terms.
An owner never closes a case by themselves: their return moves the dwelling to
"Premier contact" (when it was "Non suivi" or "En attente de retour"), so that it counts
as a return in ZLV's sense, records the occupancy they declare, and SUGGESTS a status and
sub-status that an agent confirms (or not) in the back-office.

situation          → occupancy recorded        → suggested status › sub-status
vacant             → V Vacant                  → Premier contact › Intérêt potentiel / En réflexion
  keeping it empty → V Vacant                  → Suivi bloqué › Blocage volontaire du propriétaire
rented             → L En location             → Suivi terminé › Sortie de la vacance
occupied           → P Occupé par le propriétaire → Suivi terminé › Sortie de la vacance
secondary_home     → RS Résidence secondaire   → Suivi terminé › N'était pas vacant
for_sale           → V Vacant                  → Suivi en cours › Mutation en cours ou effectuée
sold               → unchanged (agent review)  → Suivi en cours › Mutation en cours ou effectuée
works_in_progress  → V Vacant                  → Suivi en cours › En sortie sans accompagnement
not_owner          → unchanged (agent review)  → Premier contact, no sub-status
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.models.zlv import is_allowed_status

# Statuses an owner's return moves forward to "Premier contact"; later ones are an agent's.
BEFORE_FIRST_CONTACT = ("never-contacted", "waiting")
FIRST_CONTACT = "first-contact"


@dataclass(frozen=True)
class Suggestion:
    occupancy: str | None  # None: leave the recorded occupancy as it is
    status: str
    sub_status: str | None
    needs_review: bool = False  # someone else may be holding the letter

    def __post_init__(self) -> None:
        if not is_allowed_status(self.status, self.sub_status):
            raise ValueError(f"not a ZLV pair: {self.status} › {self.sub_status}")


SUGGESTIONS = {
    "vacant": Suggestion("V", "first-contact", "Intérêt potentiel / En réflexion"),
    "rented": Suggestion("L", "completed", "Sortie de la vacance"),
    "occupied": Suggestion("P", "completed", "Sortie de la vacance"),
    "secondary_home": Suggestion("RS", "completed", "N'était pas vacant"),
    "for_sale": Suggestion("V", "in-progress", "Mutation en cours ou effectuée"),
    "sold": Suggestion(None, "in-progress", "Mutation en cours ou effectuée", needs_review=True),
    "works_in_progress": Suggestion("V", "in-progress", "En sortie sans accompagnement"),
    "not_owner": Suggestion(None, "first-contact", None, needs_review=True),
}
KEEP_VACANT = Suggestion("V", "blocked", "Blocage volontaire du propriétaire")


def suggestion_for(answers: dict) -> Suggestion | None:
    """The follow-up an owner's answers suggest, or None before the situation is known."""
    situation = answers.get("situation")
    if situation == "vacant" and answers.get("intention") == "keep_vacant":
        return KEEP_VACANT
    return SUGGESTIONS.get(situation)
