"""Examples stored next to the content: a situation and what the engine must answer.

- name: "Vide depuis 3 ans, commune rurale en OPAH, veut louer"
  answers: {situation: vacant, vacancy_duration: gt_2y, …}
  context: {commune_density_level: 6, in_opah_pig: true, zone_tendue: false,
            acv_or_ort: false, idf: false}
  as_of: 2026-11-23           # optional, default DEFAULT_AS_OF
  local: "999999999"          # optional: a collectivité's overrides (its SIREN)
  expect:
    applicable: [prime-sortie-vacance]      # at least these
    not_applicable: [loc-avantages]
    undetermined: []
    first: conseil-succession-indivision    # the top recommendation
    next_question: works_level              # or null when nothing is left to ask
    not_asked: [works_level]                # questions that do not apply
    amounts: {prime-sortie-vacance: 5000}
"""

from __future__ import annotations

import datetime as dt

from portal.rules.evaluate import evaluate
from portal.rules.model import Content
from portal.rules.validate import InputError, validate_answers, validate_context

DEFAULT_AS_OF = dt.date(2026, 11, 23)
EXPECTATIONS = {
    "applicable",
    "not_applicable",
    "undetermined",
    "first",
    "next_question",
    "not_asked",
    "amounts",
}


def run_example(content: Content, example: dict) -> list[str]:
    """What is wrong with the engine's answer to this example (empty when it passes)."""
    expect = example["expect"]
    unknown = set(expect) - EXPECTATIONS
    if unknown:
        return [f"unknown expectation(s) {sorted(unknown)}"]
    try:
        answers = validate_answers(content, example.get("answers") or {})
        context = validate_context(content, example.get("context") or {})
    except InputError as error:
        return [f"invalid situation: {error.errors}"]
    local = content.locals.get(str(example["local"])) if example.get("local") else None
    if example.get("local") and local is None:
        return [f"no local/ file for SIREN {example['local']}"]
    as_of = example.get("as_of") or DEFAULT_AS_OF
    evaluation = evaluate(content, answers, context, as_of, local)
    status = {r.slug: r.status for r in evaluation.recommendations}
    problems = []
    for wanted in ("applicable", "not_applicable", "undetermined"):
        for slug in expect.get(wanted) or []:
            if slug not in status:
                problems.append(f"unknown recommendation {slug!r}")
            elif status[slug] != wanted:
                problems.append(f"{slug}: expected {wanted}, got {status[slug]}")
    if "first" in expect:
        top = evaluation.recommendations[0]
        if top.slug != expect["first"] or top.status != "applicable":
            problems.append(f"first: expected {expect['first']}, got {top.slug} ({top.status})")
    if "next_question" in expect and evaluation.next_question != expect["next_question"]:
        problems.append(
            f"next_question: expected {expect['next_question']}, got {evaluation.next_question}"
        )
    for question in expect.get("not_asked") or []:
        if question not in evaluation.not_applicable:
            problems.append(f"{question} should not be asked in this situation")
    for slug, amount in (expect.get("amounts") or {}).items():
        recommendation = evaluation.get(slug)
        got = recommendation.amount if recommendation else None
        wrong = got is not None if amount is None else (got is None or abs(got - amount) > 0.5)
        if wrong:
            problems.append(f"amount of {slug}: expected {amount}, got {got}")
    return problems
