"""The real content's examples, one test each: a failing example fails CI."""

from __future__ import annotations

import pytest

from portal.config import ROOT
from portal.rules import load_content
from portal.rules.examples import run_example

CONTENT = load_content(ROOT / "guidance_content")


@pytest.mark.parametrize(
    "example",
    CONTENT.examples,
    ids=[f"{e['path'].rsplit('/', 1)[-1]}: {e['name']}" for e in CONTENT.examples],
)
def test_example(example):
    assert run_example(CONTENT, example) == []


def test_there_are_enough_examples_and_each_aid_is_covered():
    assert len(CONTENT.examples) >= 40
    covered = {"applicable": set(), "not_applicable": set()}
    for example in CONTENT.examples:
        for status in covered:
            covered[status].update(example["expect"].get(status) or [])
    national = set(CONTENT.aids)
    assert national - covered["applicable"] == set(), "never shown applicable"
    assert national - covered["not_applicable"] == set(), "never shown not applicable"


CONTRACT_SLUGS = {
    "anah-travaux-bailleur",
    "maprimerenov-ampleur",
    "prime-sortie-vacance",
    "loc-avantages",
    "intermediation-locative",
    "visale",
    "occupation-temporaire",
    "bail-rehabilitation",
    "vente-accompagnee",
    "deficit-foncier",
    "conseil-succession-indivision",
    "france-renov-conseil",
    "taxe-vacance",
}
CONTRACT_OPTIONS = {
    "situation": {
        "vacant",
        "rented",
        "occupied",
        "secondary_home",
        "for_sale",
        "sold",
        "works_in_progress",
        "not_owner",
    },
    "vacancy_duration": {"lt_1y", "1_2y", "gt_2y", "unknown"},
    "owner_kind": {"individual", "indivision", "sci", "other_legal_entity"},
    "blockers": {
        "needs_works",
        "works_cost",
        "succession",
        "indivision_disagreement",
        "fear_unpaid_rent",
        "bad_rental_experience",
        "management_burden",
        "distance",
        "age_health",
        "keeps_for_family",
        "sale_unsuccessful",
        "building_degraded",
        "other",
    },
    "works_level": {"none", "light", "medium", "heavy", "unknown"},
    "energy_label": {"A", "B", "C", "D", "E", "F", "G", "unknown"},
    "intention": {"rent", "sell", "live_or_family", "temporary_use", "undecided", "keep_vacant"},
    "accepts_rent_cap": {"yes", "no", "unknown"},
    "owner_income_band": {"very_modest", "modest", "intermediate", "high", "unknown"},
}


def test_the_contract_ids_are_all_there():
    """Other parts and partners rely on these: add, never rename."""
    assert set(CONTENT.aids) >= CONTRACT_SLUGS
    for question, options in CONTRACT_OPTIONS.items():
        assert options <= CONTENT.questions[question].values, question
    assert {"commune_density_level", "in_opah_pig", "zone_tendue", "acv_or_ort", "idf"} <= set(
        CONTENT.context
    )
