"""Evaluation: tri-state applicability, traces, missing inputs, next question, amounts."""

from __future__ import annotations

import datetime as dt

from portal.rules import evaluate, present
from portal.rules.examples import run_example
from tests.rules.conftest import CONTEXT, DAY


def status(evaluation):
    return {r.slug: r.status for r in evaluation.recommendations}


def test_nothing_answered_asks_the_priority_question_first(content):
    evaluation = evaluate(content, {}, CONTEXT, DAY)
    assert evaluation.next_question == "situation"
    assert status(evaluation) == {"bonus": "undetermined", "works-grant": "undetermined"}


def test_a_question_that_does_not_apply_is_never_asked(content):
    evaluation = evaluate(content, {"situation": "sold"}, CONTEXT, DAY)
    assert evaluation.not_applicable == {"works", "label", "band"}
    assert evaluation.next_question is None
    assert evaluation.missing == []
    assert set(status(evaluation).values()) == {"not_applicable"}


def test_answers_to_questions_that_do_not_apply_are_ignored(content):
    evaluation = evaluate(content, {"situation": "sold", "works": ["roof"]}, CONTEXT, DAY)
    assert "works" not in evaluation.answers
    assert status(evaluation)["bonus"] == "not_applicable"


def test_next_question_follows_the_order_among_what_is_still_missing(content):
    evaluation = evaluate(content, {"situation": "vacant"}, CONTEXT, DAY)
    assert evaluation.next_question == "works"
    assert evaluation.missing == ["works", "label"]


def test_a_decided_branch_asks_nothing_more(content):
    """`all` stops at a false condition: a non-rural owner is not asked about works for
    the rural bonus (but works-grant still wants the label)."""
    evaluation = evaluate(content, {"situation": "vacant"}, {"rural": False, "level": 6}, DAY)
    bonus = evaluation.get("bonus")
    assert bonus.status == "not_applicable"
    assert bonus.missing == ()
    assert evaluation.missing == ["label"]


def test_applicable_with_reasons(content):
    answers = {"situation": "vacant", "works": ["roof"], "label": "A", "band": "low"}
    evaluation = evaluate(content, answers, {**CONTEXT, "area": 40}, DAY)
    assert status(evaluation) == {"bonus": "applicable", "works-grant": "applicable"}
    data = present(evaluation, content, "fr")
    bonus = next(r for r in data["recommendations"] if r["slug"] == "bonus")
    assert {"met": True, "text": "La commune est rurale"} in bonus["reasons"]
    assert {"met": True, "text": "Travaux\u00a0: Chauffage ou Toiture"} in bonus["reasons"]


def test_not_applicable_says_which_condition_failed(content):
    evaluation = evaluate(content, {"situation": "vacant", "label": "G"}, CONTEXT, DAY)
    grant = present(evaluation, content, "en")["recommendations"]
    grant = next(r for r in grant if r["slug"] == "works-grant")
    assert grant["status"] == "not_applicable"
    assert {"met": False, "text": "The property is not rated G"} in grant["reasons"]


def test_boosts_change_the_ranking(content):
    base = {"situation": "vacant", "label": "A", "band": "low"}
    heating = evaluate(content, {**base, "works": ["heating"]}, CONTEXT, DAY)
    roof = evaluate(content, {**base, "works": ["roof"]}, CONTEXT, DAY)
    assert [r.slug for r in heating.recommendations] == ["works-grant", "bonus"]
    assert roof.get("works-grant").score == 120
    assert next(r.slug for r in roof.recommendations) == "works-grant"


def test_parameters_take_the_value_in_force(content):
    answers = {"situation": "vacant", "works": ["roof"]}
    assert evaluate(content, answers, CONTEXT, dt.date(2025, 6, 1)).get("bonus").amount == 1000
    assert evaluate(content, answers, CONTEXT, dt.date(2026, 6, 1)).get("bonus").amount == 2000


def test_an_aid_out_of_its_validity_period_is_not_applicable(content):
    evaluation = evaluate(
        content, {"situation": "vacant", "works": ["roof"]}, CONTEXT, dt.date(2027, 1, 1)
    )
    assert evaluation.get("bonus").status == "not_applicable"
    reasons = present(evaluation, content, "fr")["recommendations"]
    assert any(
        "pas en vigueur" in r["text"] for x in reasons if x["slug"] == "bonus" for r in x["reasons"]
    )


def test_an_amount_asks_for_what_it_needs_only_when_the_aid_applies(content):
    answers = {"situation": "vacant", "works": ["roof"], "label": "A"}
    evaluation = evaluate(content, answers, {**CONTEXT, "area": 40}, DAY)
    assert evaluation.get("works-grant").amount is None
    assert evaluation.next_question == "band"
    answered = evaluate(content, {**answers, "band": "low"}, {**CONTEXT, "area": 40}, DAY)
    assert answered.get("works-grant").amount == 4000  # 0.8 × 10 000 × 40 / 80
    assert answered.next_question is None
    refused = evaluate(content, {**answers, "label": "G"}, CONTEXT, DAY)
    assert "band" not in refused.missing


def test_a_missing_optional_context_gives_the_fallback_text(content):
    answers = {"situation": "vacant", "works": ["roof"], "label": "A", "band": "high"}
    evaluation = evaluate(content, answers, CONTEXT, DAY)
    grant = next(
        r
        for r in present(evaluation, content, "fr")["recommendations"]
        if r["slug"] == "works-grant"
    )
    assert grant["amount"] == {"value": None, "text": "Un pourcentage des travaux"}


def test_local_aids_and_contacts(content):
    local = content.locals["123456789"]
    evaluation = evaluate(content, {"situation": "vacant"}, CONTEXT, DAY, local)
    assert evaluation.get("local:bonus-testville").status == "applicable"
    data = present(evaluation, content, "fr")
    local_aid = next(r for r in data["recommendations"] if r["slug"] == "local:bonus-testville")
    assert local_aid["contacts"][0]["phone"] == "02 00 00 00 00"
    assert local_aid["contacts"][0]["description"] == "Un conseil gratuit."


def test_amounts_and_parameters_are_written_the_french_way(content):
    answers = {"situation": "vacant", "works": ["roof"]}
    data = present(evaluate(content, answers, CONTEXT, DAY), content, "fr")
    bonus = next(r for r in data["recommendations"] if r["slug"] == "bonus")
    assert bonus["summary"] == "Une prime de 2\u202f000\u00a0€."
    english = present(evaluate(content, answers, CONTEXT, DAY), content, "en")
    assert next(r for r in english["recommendations"] if r["slug"] == "bonus")["gives"] == "€2,000"


def test_the_miniature_examples_pass(content):
    for example in content.examples:
        assert run_example(content, example) == [], example["name"]


def test_a_wrong_expectation_is_reported(content):
    example = {
        "name": "wrong",
        "answers": {"situation": "sold"},
        "context": CONTEXT,
        "expect": {"applicable": ["bonus"], "next_question": "works"},
    }
    problems = run_example(content, example)
    assert "bonus: expected applicable, got not_applicable" in problems
    assert "next_question: expected works, got None" in problems


def test_context_from_the_commune_and_the_collectivite(content):
    from portal.rules.context import context_for

    local = content.locals["123456789"]
    assert context_for(content, "00001", local, living_area=54) == {
        "commune_density_level": 6, "zone_tendue": False, "acv_or_ort": True, "idf": False,
        "in_opah_pig": True, "living_area": 54,
    }  # fmt: skip
    assert context_for(content, "99999") == {}


def test_a_parameter_not_yet_in_force_is_not_invented(content):
    data = present(evaluate(content, {"situation": "vacant"}, CONTEXT, dt.date(2024, 6, 1)),
                   content, "fr")  # fmt: skip
    bonus = next(r for r in data["recommendations"] if r["slug"] == "bonus")
    assert bonus["summary"] == "Une prime de (montant non connu à cette date)."
    assert bonus["status"] == "not_applicable"


def test_an_expected_missing_amount_passes(content):
    example = {"name": "no band, no amount", "context": {**CONTEXT, "area": 40},
               "answers": {"situation": "vacant", "label": "A", "works": ["none"]},
               "expect": {"amounts": {"works-grant": None}}}  # fmt: skip
    assert run_example(content, example) == []
    example["answers"]["band"] = "low"
    assert run_example(content, example) != []
