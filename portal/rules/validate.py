"""Checking answers and context from outside (API, forms, files) before evaluation.

Errors name the field: {"answers.situation": "…", "context.idf": "…"}.
"""

from __future__ import annotations

import math
from numbers import Real

from portal.rules.model import Content

# A context number (a living area in m², a density level) is at least 0 and at most this:
# beyond, the formulas' amounts would overflow.
CONTEXT_NUMBER_MAX = 1_000_000


def is_number(value) -> bool:
    """A finite JSON number (not a boolean; NaN and ±Infinity, which Python's json reads,
    are not)."""
    return isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)


class InputError(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))


def validate_answers(content: Content, answers) -> dict:
    if not isinstance(answers, dict):
        raise InputError({"answers": "must be an object {question id: answer}"})
    errors, clean = {}, {}
    for question_id, value in answers.items():
        field = f"answers.{question_id}"
        question = content.questions.get(question_id)
        if question is None:
            errors[field] = "unknown question"
            continue
        if question.type == "radios":
            if not isinstance(value, str) or value not in question.values:
                errors[field] = f"must be one of {sorted(question.values)}"
                continue
        elif question.type == "checkboxes":
            exclusive = question.exclusive
            if value == [] and exclusive:  # nothing ticked: the "nothing in particular" option
                value = [exclusive]
            if (
                not isinstance(value, list)
                or not value
                or not all(isinstance(item, str) and item in question.values for item in value)
            ):
                errors[field] = f"must be a non-empty list of {sorted(question.values)}"
                continue
            value = sorted(set(value))
            if exclusive in value and len(value) > 1:
                errors[field] = f"{exclusive!r} cannot be combined with other answers"
                continue
        elif question.type == "number":
            if not is_number(value):
                errors[field] = "must be a number"
                continue
            low, high = question.minimum, question.maximum
            if (low is not None and value < low) or (high is not None and value > high):
                errors[field] = f"must be between {low} and {high}"
                continue
        elif not isinstance(value, str) or len(value) > question.max_length or "\x00" in value:
            errors[field] = f"must be a text of at most {question.max_length} characters"
            continue
        clean[question_id] = value
    if errors:
        raise InputError(errors)
    return clean


def validate_context(content: Content, context) -> dict:
    if context is None:
        required = [name for name, spec in content.context.items() if not spec.optional]
        raise InputError({"context": f"required, with {', '.join(required)}"})
    if not isinstance(context, dict):
        raise InputError({"context": "must be an object"})
    errors, clean = {}, {}
    for name in context:
        if name not in content.context:
            errors[f"context.{name}"] = "unknown context field"
    for name, spec in content.context.items():
        field = f"context.{name}"
        if name not in context or context[name] is None:
            if not spec.optional:
                errors[field] = "required"
            continue
        value = context[name]
        if spec.type == "boolean" and not isinstance(value, bool):
            errors[field] = "must be true or false"
        elif spec.type == "number" and not is_number(value):
            errors[field] = "must be a number"
        elif spec.type == "number" and not 0 <= value <= CONTEXT_NUMBER_MAX:
            errors[field] = f"must be a number from 0 to {CONTEXT_NUMBER_MAX}"
        else:
            clean[name] = value
    if "commune_density_level" in clean and clean["commune_density_level"] not in range(1, 8):
        errors["context.commune_density_level"] = "must be a whole number from 1 to 7"
    if errors:
        raise InputError(errors)
    return clean
