"""The context of a dwelling, from data the owner is not asked: its commune (reference
tables) and its collectivité (OPAH/PIG perimeter)."""

from __future__ import annotations

from portal.rules.model import Content, Local


def context_for(
    content: Content, insee_code: str, local: Local | None = None, living_area: int | None = None
) -> dict:
    """Everything known about the dwelling's place; what is unknown stays absent, so the
    rules treat it as unknown rather than as "no"."""
    context: dict = {}
    commune = content.communes.get(insee_code)
    if commune is not None:
        context.update(
            commune_density_level=commune.density_level,
            zone_tendue=commune.zone_tendue,
            acv_or_ort=commune.acv_or_ort,
            idf=commune.idf,
        )
    if local is not None and local.opah_pig_perimeter is not None:
        context["in_opah_pig"] = insee_code in local.opah_pig_perimeter
    if living_area:
        context["living_area"] = living_area
    return context
