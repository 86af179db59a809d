"""Evaluate a situation: answers + context → ranked recommendations, traces, next question."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from portal.rules.conditions import FALSE, TRUE, UNKNOWN, Env
from portal.rules.formulas import Undetermined
from portal.rules.model import Aid, Content, Local
from portal.rules.relations import apply_requirements

STATUS = {TRUE: "applicable", FALSE: "not_applicable", UNKNOWN: "undetermined"}
ORDER = {"applicable": 0, "undetermined": 1, "not_applicable": 2}


@dataclass
class Recommendation:
    aid: Aid
    status: str  # applicable | not_applicable | undetermined
    score: int
    trace: list  # [(Clause, TRUE | FALSE | UNKNOWN)]
    amount: float | None = None
    missing: tuple[str, ...] = ()
    in_force: bool = True

    @property
    def slug(self) -> str:
        return self.aid.slug

    @property
    def alternatives(self) -> tuple[str, ...]:
        return self.aid.alternatives

    @property
    def requires(self) -> tuple[str, ...]:
        return self.aid.requires


@dataclass
class Evaluation:
    recommendations: list[Recommendation]
    next_question: str | None
    missing: list[str]  # questions that could still change a recommendation, in order
    not_applicable: set[str]  # questions that do not apply to this situation
    answers: dict  # the answers taken into account
    as_of: dt.date
    content_version: str
    local: Local | None = None

    def get(self, slug: str) -> Recommendation | None:
        return next((r for r in self.recommendations if r.slug == slug), None)


def evaluate(
    content: Content,
    answers: dict,
    context: dict,
    as_of: dt.date | None = None,
    local: Local | None = None,
) -> Evaluation:
    """`answers` and `context` must already be valid (see portal.rules.validate)."""
    as_of = as_of or dt.date.today()
    values = {name: context[name] for name in content.context if name in context}
    not_applicable: set[str] = set()
    pending: set[str] = set()
    env = Env(values, not_applicable, as_of)
    for question in content.questions.values():
        if question.ask_if is not None:
            applies = question.ask_if(env)
            env.missing.clear()
            if applies == FALSE:
                not_applicable.add(question.id)
                continue
            if applies == UNKNOWN:
                pending.add(question.id)
                continue
        if question.id in answers:
            values[question.id] = answers[question.id]

    aids = list(content.aids.values()) + (list(local.aids.values()) if local else [])
    recommendations = [_recommend(aid, env, content, as_of) for aid in aids]
    apply_requirements(recommendations, content.wording)
    recommendations.sort(key=lambda r: (ORDER[r.status], -r.score, r.slug))

    relevant: set[str] = set()
    for recommendation in recommendations:
        if recommendation.status != "not_applicable":
            relevant.update(recommendation.missing)
    asked = [
        q
        for q in content.questions
        if q not in values and q not in not_applicable and q not in pending
    ]
    missing = [q for q in asked if q in relevant]
    priority = [
        entry.question for entry in content.priority
        if entry.question in asked and (entry.condition is None or _holds(entry.condition, env))
    ]  # fmt: skip
    next_question = (priority or missing or [None])[0]
    taken = {q: a for q, a in answers.items() if q in values}
    return Evaluation(
        recommendations,
        next_question,
        missing,
        not_applicable,
        taken,
        as_of,
        content.version,
        local,
    )


def _holds(condition, env: Env) -> bool:
    env.missing, env.trace = [], None
    return condition(env) == TRUE


def _recommend(aid: Aid, env: Env, content: Content, as_of: dt.date) -> Recommendation:
    env.missing = []
    env.trace = []
    if not aid.in_force(as_of):
        return Recommendation(aid, "not_applicable", aid.rank, [], in_force=False)
    result = aid.eligible_if(env)
    trace, missing = env.trace, env.missing
    env.trace = None
    score = aid.rank
    for boost in aid.boosts:
        env.missing = []
        if boost.condition(env) == TRUE:
            score += boost.add
    amount = None
    if aid.amount is not None and result != FALSE:
        env.missing = []
        try:
            amount = float(aid.amount.formula(env, lambda name: content.parameter(name, as_of)))
        except (Undetermined, TypeError, ZeroDivisionError):
            amount = None
            if result == TRUE:
                missing = missing + env.missing
    status = STATUS[result]
    return Recommendation(aid, status, score, trace, amount, tuple(dict.fromkeys(missing)))
