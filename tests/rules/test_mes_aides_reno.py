"""Our amounts against Mes Aides Réno's model (vendored in tests/fixtures/mesaidesreno/, MIT).

Two levels: our parameters against the numbers written in MAR's rules files (YAML, no Node
needed), and our evaluated amounts against MAR's model run by Publicodes for the landlord
situations of bench/mes_aides_reno_situations.json (skipped without node and `npm ci`).
The rows marked `agree` there must match within 1 €; the others must still differ, so that
bench/mes_aides_reno.md, which explains each difference, does not go stale.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import re
from pathlib import Path

import pytest
import yaml

from portal.rules import load_content

ROOT = Path(__file__).resolve().parent.parent.parent
RULES = ROOT / "tests" / "fixtures" / "mesaidesreno" / "règles"


def _bench_module():
    path = ROOT / "bench" / "compare_mes_aides_reno.py"
    spec = importlib.util.spec_from_file_location("compare_mes_aides_reno", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


COMPARE = _bench_module()
SPEC = COMPARE.spec()
AS_OF = dt.date.fromisoformat(SPEC["as_of"])


@pytest.fixture(scope="module")
def content():
    return load_content(ROOT / "guidance_content")


def mar_rule(file: str, name: str):
    """One rule of MAR's files, its block parsed alone (some of MAR's files use YAML 1.2
    syntax that PyYAML does not read; MAR parses them with npm's `yaml`)."""
    lines = (RULES / file).read_text(encoding="utf-8").splitlines()
    start = lines.index(f"{name}:") if f"{name}:" in lines else None
    if start is None:
        start = next(i for i, line in enumerate(lines) if line.startswith(f"{name}: "))
    block = [lines[start]]
    for line in lines[start + 1 :]:
        if line and not line[0].isspace() and not line.startswith("#"):
            break
        block.append(line)
    return yaml.safe_load("\n".join(block))[name]


def number(text) -> float:
    """'80 %' → 0.8, '1000 € HT/m²' → 1000, '2000 €' → 2000, 35 → 35."""
    if isinstance(text, (int, float)):
        return float(text)
    match = re.match(r"\s*([0-9][0-9 ]*(?:[.,][0-9]+)?)\s*(%?)", str(text))
    assert match, f"not a number in MAR's rules: {text!r}"
    value = float(match.group(1).replace(" ", "").replace(",", "."))
    return value / 100 if match.group(2) else value


def when(node, condition: str):
    """The `alors` of the variation whose `si` mentions `condition` (or the `sinon`)."""
    for branch in node["variations"]:
        if condition == "sinon" and "sinon" in branch:
            return branch["sinon"]
        if "si" in branch and condition in str(branch["si"]):
            return branch["alors"]
    raise AssertionError(f"no variation for {condition!r} in {node}")


# Our parameter (with its key for a table) → the number MAR's rules files write for it.
MPR_BANDS = {
    "very_modest": "'très modeste'",
    "modest": "= 'modeste'",
    "intermediate": "'intermédiaire'",
    "high": "'supérieure'",
}
MPLD = "ma-prime-logement-decent.publicodes"
ANAH_GRADES = {
    "very_degraded": "'très dégradé'",
    "safety": "'sécurité'",
    "medium": "'moyennement dégradé'",
}
LOC_LEVELS = {"loc1": "loc 1", "loc2": "loc 2"}


def parameter_pairs():
    pourcent = mar_rule("MPRA.publicodes", "MPR . accompagnée . pourcent")["formule"]
    for band, condition in MPR_BANDS.items():
        yield "mpr_ampleur.rate", band, when(pourcent, condition)
    plafond = mar_rule("index.yaml", "projet . travaux . plafond")
    yield "mpr_ampleur.cap_2_classes", None, when(plafond, "sauts = 2")
    yield "mpr_ampleur.cap_3_classes", None, when(plafond, "sauts >= 3")
    rate = mar_rule(MPLD, "MPLD . bailleur . pourcentage d'aide")
    cap = mar_rule(MPLD, "MPLD . bailleur . montant travaux . plafond")
    for grade, condition in ANAH_GRADES.items():
        yield f"anah_bailleur.rate.{grade}", None, when(rate, condition)
        yield f"anah_bailleur.cap_per_m2.{grade}", None, when(cap, condition)
    surface = mar_rule(MPLD, "MPLD . bailleur . montant aide . plafond")["produit"][0]
    yield "anah_bailleur.max_surface_m2", None, surface["le minimum de"][0]
    yield "anah_bailleur.max_share", None, mar_rule(MPLD, "MPLD . bailleur . taux écrêtement")
    bonus = mar_rule(MPLD, "MPLD . bailleur . bonus")
    yield "anah_bailleur.energy_bonus", None, when(bonus, "sinon")
    yield "anah_bailleur.energy_bonus_fg", None, when(bonus, "DPE . actuel >= 6")
    taux = mar_rule("mpa/locavantage.publicodes", "locavantage . taux")
    for level, name in LOC_LEVELS.items():
        by_level = when(taux, name)
        yield f"loc_avantages.rate.{level}", None, when(by_level, "sinon")
        yield f"loc_avantages.rate.{level}_iml", None, when(by_level, "intermédiation")
    yield "loc_avantages.rate.loc3_iml", None, when(when(taux, "loc 3"), "intermédiation")
    # Parameters our content may not have yet (taken from MAR by the content's authors).
    loc = "mpa/locavantage.publicodes"
    for ours, theirs in (
        ("association", "locavantage . prime location"),
        ("mandate", "locavantage . prime mandat gestion"),
        ("small_home", "locavantage . prime petite surface"),
    ):
        yield f"loc_avantages.premium.{ours}", None, mar_rule(loc, theirs)["valeur"]
    ptz = mar_rule("PTZ.publicodes", "PTZ . montant . barème métropole")
    yield "eco_ptz.max_amount", None, when(ptz, "condition maprimerenov")
    yield "eco_ptz.min_amount", None, when(ptz, "parois vitrées")
    yield "eco_ptz.three_actions_amount", None, when(ptz, "trois postes")


PAIRS = list(parameter_pairs())
OPTIONAL = ("loc_avantages.premium.", "eco_ptz.")


@pytest.mark.parametrize(
    ("name", "key", "theirs"), PAIRS, ids=[f"{n}[{k}]" if k else n for n, k, _ in PAIRS]
)
def test_our_parameters_are_mes_aides_renos(content, name, key, theirs):
    if name not in content.parameters and name.startswith(OPTIONAL):
        pytest.skip(f"{name} is not in our content")
    ours = content.parameter(name, AS_OF)
    if key is not None:
        ours = ours[key]
    assert ours == pytest.approx(number(theirs)), f"{name}: ours {ours}, MAR {theirs}"


def test_every_rate_and_cap_we_share_with_mar_is_compared():
    compared = {name for name, _, _ in PAIRS}
    shared = {
        name for name in load_content(ROOT / "guidance_content").parameters
        if name.startswith(("mpr_ampleur.", "anah_bailleur.", "loc_avantages.rate.", *OPTIONAL))
    }  # fmt: skip
    assert shared <= compared, f"not compared with MAR: {sorted(shared - compared)}"


@pytest.fixture(scope="module")
def table(content):
    reason = COMPARE.node_missing()
    if reason:
        pytest.skip(f"Mes Aides Réno's model not run: {reason}")
    mar = COMPARE.mar_results()
    return COMPARE.rows(content, SPEC, mar)


def test_the_model_answers_every_situation_without_missing_answers(content):
    reason = COMPARE.node_missing()
    if reason:
        pytest.skip(f"Mes Aides Réno's model not run: {reason}")
    results = COMPARE.mar_results()["results"]
    assert set(results) == {situation["id"] for situation in SPEC["situations"]}
    incomplete = {
        (situation, rule): value["missing"]
        for situation, rules in results.items()
        for rule, value in rules.items()
        if value["missing"]
    }
    assert not incomplete


def test_where_we_claim_to_match_mar_the_amounts_match(table):
    # `agree` is true for the rows marked so, and for "when_present" rows whose side of ours
    # (an optional aid or parameters) is in the content.
    agreed = [row for row in table if row["agree"]]
    assert len(agreed) >= 9
    for row in agreed:
        assert row["status"] == "applicable", row
        assert row["ours"] is not None and row["mar"] is not None, row
        assert abs(row["ours"] - row["mar"]) < 1, (row["situation"], row["ours"], row["mar"])


def test_the_differences_we_explain_are_still_there(table):
    for row in table:
        if row["agree"]:
            continue
        if row["ours"] is not None and row["mar"] is not None:
            assert abs(row["ours"] - row["mar"]) >= 1, (row["situation"], row["aid"])
        else:
            assert (row["ours"], row["mar"]) != (None, None), row
