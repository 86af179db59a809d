"""An evaluation in words, for the API, the CLI and the pages: one dict, JSON-ready; and
the owner's answers in words (`answers_in_words`), for the owner's pages and the agent's."""

from __future__ import annotations

import re
from functools import lru_cache

from babel.numbers import format_currency, format_decimal, format_percent

from portal.dates import long_date
from portal.rules.conditions import FALSE, TRUE, Clause
from portal.rules.evaluate import Evaluation, Recommendation
from portal.rules.model import Aid, Contact, Content, Question

PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_.]+)\}")
MET = {TRUE: True, FALSE: False}


@lru_cache(maxsize=4096)
def money(value: float, locale: str) -> str:
    pattern = "#,##0\u00a0¤" if locale == "fr" else "¤#,##0"
    return format_currency(
        round(value), "EUR", format=pattern, locale=locale, currency_digits=False
    )


@lru_cache(maxsize=1024)
def format_parameter(value, unit: str, locale: str) -> str:
    if unit == "EUR":
        return money(value, locale)
    if unit == "date":
        return day_in_words(value, locale)
    if unit == "rate":
        return format_percent(
            value, locale=locale, format="#,##0.#\u00a0%" if locale == "fr" else "#,##0.#%"
        )
    return format_decimal(value, locale=locale)


def day_in_words(day, locale: str) -> str:
    """« 1er janvier 2028 », « 2 janvier 2028 » (no-break spaces); "1 January 2028"."""
    return long_date(day, locale)


def fill(text: str, content: Content, evaluation_date, locale: str, **extra) -> str:
    """Replace {parameter.name} by the value in force, formatted for `locale`."""

    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name in extra:
            return extra[name]
        parameter = content.parameters[name]
        value = parameter.at(evaluation_date)
        if value is None:  # the parameter starts later than the evaluation date
            return content.wording["unknown_value"][locale]
        return format_parameter(value, parameter.unit, locale)

    return PLACEHOLDER.sub(replace, text)


def present(evaluation: Evaluation, content: Content, locale: str = "fr") -> dict:
    next_id = evaluation.next_question
    return {
        "content_version": evaluation.content_version,
        "as_of": evaluation.as_of.isoformat(),
        "next_question": present_question(content.questions[next_id], locale) if next_id else None,
        "missing": evaluation.missing,
        "not_asked": [q for q in content.questions if q in evaluation.not_applicable],
        "recommendations": [
            present_recommendation(r, evaluation, content, locale)
            for r in evaluation.recommendations
        ],
    }


def present_question(question: Question, locale: str) -> dict:
    return {
        "id": question.id,
        "type": question.type,
        "label": question.label[locale],
        "hint": question.hint[locale] if question.hint else None,
        "options": [
            {"value": option.value, "label": option.label[locale]} for option in question.options
        ],
    }


def present_recommendation(
    recommendation: Recommendation, evaluation: Evaluation, content: Content, locale: str
) -> dict:
    aid, day = recommendation.aid, evaluation.as_of
    amount = None
    if aid.amount is not None and recommendation.status != "not_applicable":
        if recommendation.amount is not None:
            text = fill(aid.amount.text[locale], content, day, locale,
                        amount=money(recommendation.amount, locale))  # fmt: skip
            amount = {"value": recommendation.amount, "text": text}
        else:
            amount = {
                "value": None,
                "text": fill(aid.amount.fallback[locale], content, day, locale),
            }
    return {
        "slug": aid.slug,
        "kind": aid.kind,
        "status": recommendation.status,
        "title": aid.title[locale],
        "summary": fill(aid.summary[locale], content, day, locale),
        "gives": fill(aid.gives[locale], content, day, locale),
        "amount": amount,
        "reasons": reasons(recommendation, content, locale),
        "obligations": [fill(o[locale], content, day, locale) for o in aid.obligations],
        "contacts": [present_contact(c, content, evaluation, locale) for c in aid.contacts],
        "sources": [
            {
                "url": s.url,
                "title": s.title,
                "checked_on": s.checked_on.isoformat(),
                "confidence": s.confidence,
            }
            for s in aid.sources
        ],
        "confidence": aid.confidence,
        "last_checked": aid.last_checked.isoformat() if aid.last_checked else None,
        "missing": list(recommendation.missing),
        "alternatives": list(recommendation.alternatives),
        "requires": list(recommendation.requires),
    }


def reasons(recommendation: Recommendation, content: Content, locale: str) -> list[dict]:
    if not recommendation.in_force:
        return [{"met": False, "text": content.wording["not_in_force"][locale]}]
    seen, lines = set(), []
    for clause, result in recommendation.trace:
        text = clause_text(clause, content, locale)
        if text and text not in seen:
            seen.add(text)
            lines.append({"met": MET.get(result), "text": text})
    return lines


def clause_text(clause: Clause, content: Content, locale: str) -> str | None:
    if clause.explain:
        return clause.explain[locale]
    if clause.var is None:
        return None
    question = content.questions.get(clause.var)
    if question is None:  # context, without words of its own
        return f"{clause.var} {clause.op} {clause.expected}"
    expected = clause.expected
    values = sorted(expected) if isinstance(expected, frozenset) else [expected]
    joiner, colon = content.wording["or"][locale], content.wording["colon"][locale]
    labels = option_labels(question, values, locale)
    return f"{question.short_label[locale]}{colon}{joiner.join(labels)}"


def option_labels(question: Question, values, locale: str) -> list[str]:
    """Each value's option label in `locale` (the value itself when no option has it)."""
    return [question.option(v).label[locale] if question.option(v) else str(v) for v in values]


def answer_text(question: Question, value, locale: str) -> str:
    """One answer in words: its options' labels, joined by commas."""
    return ", ".join(option_labels(question, value if isinstance(value, list) else [value], locale))


def answers_in_words(content: Content, answers: dict, locale: str) -> list[tuple[Question, str]]:
    """(question, answer in words) for every answered question, in the content's order: the
    owner's check page and PDF summary, and the agent's view of an answer."""
    return [
        (question, answer_text(question, answers[question.id], locale))
        for question in content.questions.values() if question.id in answers
    ]  # fmt: skip


def present_contact(contact_id: str, content: Content, evaluation: Evaluation, locale: str):
    local = evaluation.local
    contact: Contact = (local.contacts.get(contact_id) if local else None) or content.contacts[
        contact_id
    ]
    national = content.contacts.get(contact_id)
    description = contact.description or (national.description if national else {})
    return {
        "id": contact_id,
        "label": contact.label[locale],
        "description": description.get(locale) if description else None,
        "url": contact.url,
        "phone": contact.phone,
        "email": contact.email,
        "address": contact.address,
    }


def aid_placeholders(aid: Aid) -> set[str]:
    """Parameter names the aid's texts refer to (checked at load)."""
    texts = [aid.summary, aid.for_whom, aid.gives, *aid.obligations]
    if aid.amount:
        texts += [aid.amount.text, aid.amount.fallback]
    return {
        name for text in texts for value in text.values() for name in PLACEHOLDER.findall(value)
    }


def present_aid(aid: Aid, content: Content, locale: str, as_of) -> dict:
    """An aid described for its public page: conditions in words, amounts, sources."""
    from portal.rules.conditions import Env

    env = Env({}, set(), as_of)
    env.trace = []
    aid.eligible_if(env)  # nothing answered: every condition is visited
    conditions = []
    for clause, _result in env.trace:
        text = clause_text(clause, content, locale)
        if text and text not in conditions:
            conditions.append(text)
    return {
        "slug": aid.slug,
        "kind": aid.kind,
        "title": aid.title[locale],
        "summary": fill(aid.summary[locale], content, as_of, locale),
        "for_whom": fill(aid.for_whom[locale], content, as_of, locale),
        "gives": fill(aid.gives[locale], content, as_of, locale),
        "amount": fill(aid.amount.fallback[locale], content, as_of, locale) if aid.amount else None,
        "conditions": conditions,
        "obligations": [fill(o[locale], content, as_of, locale) for o in aid.obligations],
        "contacts": [content.contacts[c] for c in aid.contacts if c in content.contacts],
        "sources": aid.sources,
        "confidence": aid.confidence,
        "last_checked": aid.last_checked,
        "valid_from": aid.valid_from,
        "valid_until": aid.valid_until,
        "in_force": aid.in_force(as_of),
    }
