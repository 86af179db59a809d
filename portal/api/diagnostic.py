"""POST /api/v1/diagnostic/evaluate: a situation in, recommendations and next question out."""

from __future__ import annotations

import datetime as dt
import re

from flask import jsonify, request

from portal.api import blueprint
from portal.guidance import current_content
from portal.rules import InputError, evaluate, present, validate_answers, validate_context

FIELDS = {"answers", "context", "as_of", "locale", "collectivite"}
DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def unprocessable(errors: dict[str, str]):
    return jsonify(errors=errors), 422


@blueprint.post("/diagnostic/evaluate")
def evaluate_diagnostic():
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return unprocessable({"body": 'send a JSON object: {"answers": {…}, "context": {…}}'})
    errors = {name: "unknown field" for name in set(body) - FIELDS}
    content = current_content()
    try:
        answers = validate_answers(content, body.get("answers", {}))
    except InputError as error:
        errors.update(error.errors)
    try:
        context = validate_context(content, body.get("context"))
    except InputError as error:
        errors.update(error.errors)
    as_of, locale, local = _options(body, content, errors)
    if errors:
        return unprocessable(errors)
    evaluation = evaluate(content, answers, context, as_of, local)
    return jsonify(present(evaluation, content, locale))


def _options(body: dict, content, errors: dict):
    as_of = dt.date.today()
    if "as_of" in body:
        # Only YYYY-MM-DD (the document's `format: date`), not every ISO 8601 form Python
        # reads ("20261123", "2026-W47-1").
        value = body["as_of"]
        try:
            if not isinstance(value, str) or not DATE.fullmatch(value):
                raise ValueError(value)
            as_of = dt.date.fromisoformat(value)
        except ValueError:
            errors["as_of"] = "must be a date, YYYY-MM-DD"
    locale = body.get("locale", "fr")
    if locale not in ("fr", "en"):
        errors["locale"] = "must be fr or en"
    local = None
    siren = body.get("collectivite")
    if siren is not None:
        local = content.locals.get(siren) if isinstance(siren, str) else None
        if local is None:
            errors["collectivite"] = "no local content for this SIREN"
    return as_of, locale, local
