"""GET /api/v1/openapi.json: the API described, its enums taken from the content itself."""

from __future__ import annotations

from flask import jsonify, url_for

from portal import __version__
from portal.api import blueprint
from portal.guidance import current_content
from portal.rules.validate import CONTEXT_NUMBER_MAX

QUESTION_SCHEMA = {
    "radios": lambda q: {"type": "string", "enum": sorted(q.values)},
    "checkboxes": lambda q: _checkboxes(q),
    "number": lambda q: {
        "type": "number",
        **({"minimum": q.minimum} if q.minimum is not None else {}),
        **({"maximum": q.maximum} if q.maximum is not None else {}),
    },
    "text": lambda q: {"type": "string", "maxLength": q.max_length, "pattern": "^[^\\u0000]*$"},
}


def _checkboxes(question) -> dict:
    schema = {
        "type": "array",
        "minItems": 1,
        # (A value given twice counts once: the API accepts it, so no `uniqueItems`.)
        "items": {"type": "string", "enum": sorted(question.values)},
    }
    if question.exclusive:  # "nothing in particular": alone, or an empty list for it
        schema["minItems"] = 0
        schema["anyOf"] = [
            {"not": {"contains": {"const": question.exclusive}}},
            {"not": {"contains": {"not": {"const": question.exclusive}}}},
        ]
        schema["description"] = f"{question.label['en']} ({question.exclusive!r} alone; [] = it)"
    return schema


def document() -> dict:
    content = current_content()
    answers = {
        q.id: {"description": q.label["en"], **QUESTION_SCHEMA[q.type](q)}
        for q in content.questions.values()
    }
    context = {
        name: {"type": "boolean"}
        if spec.type == "boolean"
        else {"type": "number", "minimum": 0, "maximum": CONTEXT_NUMBER_MAX}
        for name, spec in content.context.items()
    }
    context["commune_density_level"] = {"type": "integer", "minimum": 1, "maximum": 7}
    for name, spec in content.context.items():
        if spec.optional:  # an optional field given null counts as not given
            context[name]["type"] = [context[name]["type"], "null"]
    required_context = [name for name, spec in content.context.items() if not spec.optional]
    slugs = sorted(content.aids)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Portail propriétaires — diagnostic API",
            "version": __version__,
            "description": "Evaluates an owner's situation against the national aids for "
            f"vacant dwellings (content version {content.version}).",
        },
        "servers": [{"url": url_for("api.index").rstrip("/")}],
        "paths": {
            "/diagnostic/evaluate": {
                "post": {
                    "operationId": "evaluateDiagnostic",
                    "summary": "Recommendations, with reasons, and the next question to ask",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Situation"}
                            }
                        },
                    },
                    "responses": {
                        "200": {
                            "description": "The evaluation",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Evaluation"}
                                }
                            },
                        },
                        "422": {
                            "description": "Invalid input; each error names its field",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Errors"}
                                }
                            },
                        },
                    },
                }
            }
        },
        "components": {
            "schemas": {
                "Situation": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["context"],
                    "properties": {
                        "answers": {
                            "type": "object",
                            "additionalProperties": False,
                            "properties": answers,
                        },
                        "context": {
                            "type": "object",
                            "additionalProperties": False,
                            "required": required_context,
                            "properties": context,
                        },
                        "as_of": {"type": "string", "format": "date"},
                        "locale": {"type": "string", "enum": ["fr", "en"], "default": "fr"},
                        "collectivite": {
                            "type": ["string", "null"],
                            "enum": [*sorted(content.locals), None],
                            "description": "SIREN of a collectivité with local aids; null or "
                            "absent for the national aids only",
                        },
                    },
                },
                "Evaluation": {
                    "type": "object",
                    "required": [
                        "content_version",
                        "as_of",
                        "next_question",
                        "missing",
                        "recommendations",
                    ],
                    "properties": {
                        "content_version": {"type": "string"},
                        "as_of": {"type": "string", "format": "date"},
                        "next_question": {
                            "oneOf": [
                                {"type": "null"},
                                {
                                    "type": "object",
                                    "properties": {
                                        "id": {"type": "string", "enum": list(content.questions)},
                                        "type": {"type": "string"},
                                        "label": {"type": "string"},
                                        "hint": {"type": ["string", "null"]},
                                        "options": {"type": "array"},
                                    },
                                },
                            ]
                        },
                        "missing": {"type": "array", "items": {"type": "string"}},
                        "not_asked": {"type": "array", "items": {"type": "string"}},
                        "recommendations": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/Recommendation"},
                        },
                    },
                },
                "Recommendation": {
                    "type": "object",
                    "required": ["slug", "status", "title", "reasons", "sources"],
                    "properties": {
                        "slug": {
                            "type": "string",
                            "description": f"one of {slugs} or local:<name>",
                        },
                        "status": {
                            "type": "string",
                            "enum": ["applicable", "undetermined", "not_applicable"],
                        },
                        "kind": {"type": "string"},
                        "title": {"type": "string"},
                        "summary": {"type": "string"},
                        "gives": {"type": "string"},
                        "amount": {
                            "type": ["object", "null"],
                            "properties": {
                                "value": {"type": ["number", "null"]},
                                "text": {"type": "string"},
                            },
                        },
                        "reasons": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "met": {"type": ["boolean", "null"]},
                                    "text": {"type": "string"},
                                },
                            },
                        },
                        "obligations": {"type": "array", "items": {"type": "string"}},
                        "contacts": {"type": "array", "items": {"type": "object"}},
                        "sources": {"type": "array", "items": {"type": "object"}},
                        "confidence": {"type": "string", "enum": ["ok", "3p", "uncertain"]},
                        "last_checked": {"type": ["string", "null"], "format": "date"},
                        "missing": {"type": "array", "items": {"type": "string"}},
                        "alternatives": {
                            "type": "array",
                            "items": {"type": "string"},
                            "description": "aids financing the same works by another route: "
                            "one or the other, never both (slugs)",
                        },
                        "requires": {
                            "type": "array",
                            "items": {"type": "string"},
                            "description": "aids this one only comes with (slugs); if one of "
                            "them is not applicable, neither is this one",
                        },
                    },
                },
                "Errors": {
                    "type": "object",
                    "properties": {
                        "errors": {
                            "type": "object",
                            "additionalProperties": {"type": "string"},
                            "description": "field (e.g. answers.situation, context.idf) → message",
                        }
                    },
                },
            }
        },
    }


@blueprint.get("/openapi.json")
def openapi():
    return jsonify(document())
